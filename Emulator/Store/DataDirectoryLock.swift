import Foundation

/// One `emulator up` per data directory. Two on the same directory would each take the other's
/// work in flight for its own (releasing it at start, leasing it, dispatching it twice) and stop
/// each other's services; so `up` holds an exclusive `flock` on `DATA/emulator.lock` for its
/// whole life. The kernel drops the lock when the process ends, however it ends, so a restart
/// right after a SIGKILL takes it at once.
final class DataDirectoryLock: Sendable {
    private let descriptor: Int32

    /// Takes the lock of `directory`, or throws naming the emulator that holds it.
    init(directory: URL) throws {
        let path = directory.appendingPathComponent("emulator.lock").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw DataDirectoryError(path: path, problem: "cannot be opened (\(String(cString: strerror(errno))))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw DataDirectoryError(
                path: directory.path,
                problem: "is in use by another emulator" + (holder.map { $0.isEmpty ? "" : " (pid \($0))" } ?? "") + "; stop it, or give this one another --data-dir"
            )
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}
