import Foundation

/// The data directory holds every object, message and task body the emulator was given (and
/// the webhook secret), so only its owner may read it, whatever the umask: the directory is
/// 0700 and the database files 0600.
extension EmulatorStore {
    static let directoryMode: mode_t = 0o700
    static let databaseFileMode: mode_t = 0o600

    /// Creates `directory` owner-only, or tightens an existing one that already is a data
    /// directory (it holds `emulator.sqlite`: left 0755 by an earlier version). Any other
    /// existing folder given as `--data-dir` (`.`, a home or project folder, `/tmp`) keeps its
    /// mode: the emulator does not take over folders it did not make; its database files are
    /// 0600 there all the same.
    static func makePrivateDirectory(_ directory: URL) throws {
        var isDirectory: ObjCBool = false
        let existed = FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory)
        if existed, !isDirectory.boolValue {
            throw DataDirectoryError(path: directory.path, problem: "is not a directory")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: Int(directoryMode)])
        } catch {
            throw DataDirectoryError(path: directory.path, problem: "cannot be created (\(error.localizedDescription))")
        }
        if !existed || FileManager.default.fileExists(atPath: directory.appendingPathComponent("emulator.sqlite").path) {
            try restrict(directory.path, to: directoryMode)
        }
    }

    /// Makes the database file 0600 before SQLite opens it, creating it empty if it is new:
    /// SQLite gives the `-wal` and `-shm` files it creates the database file's mode. Those left
    /// by an earlier, more permissive run are tightened too.
    static func makePrivateDatabaseFiles(at path: String) throws {
        let descriptor = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, databaseFileMode)
        guard descriptor >= 0 else {
            throw DataDirectoryError(path: path, problem: "cannot be created (\(String(cString: strerror(errno))))")
        }
        close(descriptor)
        try restrict(path, to: databaseFileMode)
        for companion in [path + "-wal", path + "-shm"] {
            try restrict(companion, to: databaseFileMode, ifPresent: true)
        }
    }

    private static func restrict(_ path: String, to mode: mode_t, ifPresent: Bool = false) throws {
        guard chmod(path, mode) != 0 else { return }
        if ifPresent, errno == ENOENT { return }
        throw DataDirectoryError(path: path, problem: "cannot be made mode \(String(mode, radix: 8)) (\(String(cString: strerror(errno))))")
    }
}
