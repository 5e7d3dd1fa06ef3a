import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Linux inotify over a directory tree, read on a thread of its own: reports files closed after
/// writing or moved in, files deleted or moved out, and watches new subdirectories as they
/// appear. Hand-written: no Swift package wraps inotify, and it is a few system calls.
final class InotifyWatcher: @unchecked Sendable {
    /// What happened to a path.
    enum Change: Sendable, Equatable {
        case written(String)
        case removed(String)
        case directoryAdded(String)
    }

    private let fd: Int32
    private let directories = Mutex<[Int32: String]>([:])
    private let stopped = Mutex(false)
    private let continuation: AsyncStream<Change>.Continuation
    /// Changes as they happen.
    let changes: AsyncStream<Change>

    private static let fileMask = UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_DELETE) | UInt32(IN_MOVED_FROM) | UInt32(IN_CREATE)

    /// Watches `root` and every directory below it.
    init(root: String) throws {
        fd = inotify_init1(Int32(IN_CLOEXEC) | Int32(IN_NONBLOCK))
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        (changes, continuation) = AsyncStream.makeStream(of: Change.self)
        addTree(root)
        let thread = Thread { [self] in readLoop() }
        thread.name = "pixelpipe-inotify"
        thread.start()
    }

    /// Stops reading; the change stream finishes.
    func stop() {
        stopped.withLock { $0 = true }
    }

    /// Adds watches for `directory` and its subdirectories.
    func addTree(_ directory: String) {
        add(directory)
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let relative = enumerator?.nextObject() as? String {
            let path = directory + "/" + relative
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                add(path)
            }
        }
    }

    private func add(_ directory: String) {
        let wd = inotify_add_watch(fd, directory, Self.fileMask)
        if wd >= 0 { directories.withLock { $0[wd] = directory } }
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while !stopped.withLock({ $0 }) {
            guard poll(&pollFD, 1, 250) > 0 else { continue }
            let count = read(fd, &buffer, buffer.count)
            guard count > 0 else { continue }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= count {
                let (wd, mask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.wd, event.mask, Int(event.len))
                }
                let nameStart = offset + MemoryLayout<inotify_event>.size
                let nameBytes = buffer[nameStart..<(nameStart + length)].prefix { $0 != 0 }
                let name = String(decoding: nameBytes, as: UTF8.self)
                offset = nameStart + length
                guard let directory = directories.withLock({ $0[wd] }), !name.isEmpty else { continue }
                let path = directory + "/" + name
                if mask & UInt32(IN_ISDIR) != 0 {
                    if mask & (UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) != 0 {
                        addTree(path)
                        continuation.yield(.directoryAdded(path))
                    }
                } else if mask & (UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO)) != 0 {
                    continuation.yield(.written(path))
                } else if mask & (UInt32(IN_DELETE) | UInt32(IN_MOVED_FROM)) != 0 {
                    continuation.yield(.removed(path))
                }
            }
        }
        close(fd)
        continuation.finish()
    }
}
