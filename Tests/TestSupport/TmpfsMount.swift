import Foundation

/// A small tmpfs mounted for a test, so a full disk can be made and freed on purpose. Needs
/// root (CI runs as root); `isAvailable` says whether this machine can, for `.enabled(if:)`.
public final class TmpfsMount: Sendable {
    /// Where it is mounted.
    public let directory: URL

    /// Whether tmpfs mounts can be made here (root, and `mount` present).
    public static var isAvailable: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount")
    }

    /// Mounts a tmpfs of `megabytes` at a new temporary directory.
    public init(megabytes: Int) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-tmpfs-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let status = try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0700", "tmpfs", directory.path])
        guard status == 0 else { throw TestSupportError(description: "mount -t tmpfs at \(directory.path) exited \(status)") }
    }

    /// Fills the file system with a file until a write fails for lack of space; returns its URL.
    @discardableResult
    public func fill(name: String = "filler") throws -> URL {
        let url = directory.appendingPathComponent(name)
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw TestSupportError(description: "cannot create \(url.path)") }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0x5A, count: 64 << 10)
        var size = chunk.count
        while size > 0 {
            let written = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress!, size) }
            if written < 0 {
                guard errno == ENOSPC else { throw TestSupportError(description: "filling \(url.path): \(String(cString: strerror(errno)))") }
                size /= 2
            }
        }
        return url
    }

    /// Removes the filler made by `fill`, so there is room again.
    public func free(name: String = "filler") throws {
        try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
    }

    /// Unmounts (lazily, so a process still holding a file does not keep it busy) and removes the directory.
    public func unmount() {
        _ = try? Self.run("/bin/umount", ["-l", directory.path])
        try? FileManager.default.removeItem(at: directory)
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Something a test needed from the machine (a mount, a port) could not be had.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
}
