// See ObjectLayout.swift for why CoreFoundation is imported beside Glibc.
import CoreFoundation
import Foundation
import Glibc

extension ObjectLayout {
    /// Writes the bytes of the files at `locations`, one after another, to a new fsync'd file
    /// under `DATA/tmp/` and returns its path and checksums: the new bytes of a copy, rewrite
    /// or compose, streamed in 1 MiB blocks so large objects are never held whole.
    func concatenate(_ locations: [String]) throws -> (path: String, checksums: ObjectChecksums) {
        let path = temporaryPath + "/" + UUID().uuidString
        let output = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw Self.failure("create", path) }
        defer { close(output) }
        var checksums = ObjectChecksums()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        do {
            for location in locations {
                let source = absolutePath(location)
                let input = open(source, O_RDONLY | O_CLOEXEC)
                guard input >= 0 else { throw Self.failure("open", source) }
                defer { close(input) }
                while true {
                    let count = Glibc.read(input, buffer.baseAddress, buffer.count)
                    if count < 0, errno == EINTR { continue }
                    guard count >= 0 else { throw Self.failure("read", source) }
                    if count == 0 { break }
                    let block = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
                    checksums.update(block)
                    try Self.writeAll(output, block, path: path)
                }
            }
            guard fsync(output) == 0 else { throw Self.failure("fsync", path) }
        } catch {
            unlink(path)
            throw error
        }
        return (path, checksums)
    }
}
