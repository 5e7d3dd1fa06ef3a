import Foundation
import Glibc

/// `DATA/secrets`: the emulator's keys (token signing, Storage signing, TLS, webhooks), owner-only.
/// The folder is 0700 and each file is created 0600 before a byte is written, synced, then renamed
/// into place, so no key is ever readable by others, not even for an instant, nor left half written.
struct SecretsFolder: Sendable {
    let url: URL

    init(dataDirectory: URL) {
        url = dataDirectory.appendingPathComponent("secrets")
    }

    /// Creates the folder if needed and puts its mode back to 0700.
    func prepare() throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: url.path)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// The contents of `name`, with its mode put back to 0600; nil when it does not exist. Any
    /// other failure (no permission, an I/O error) throws: a key that exists but cannot be read
    /// must not be silently replaced, which would void every token and certificate made with it.
    func read(_ name: String) throws -> Data? {
        let path = file(name).path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: file(name))
        } catch {
            throw SecretFileError(path: path, problem: "cannot be read (\(error)); fix its permissions, or delete it to have a new one made")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return data
    }

    /// Writes `data` as `name`: created with `open(O_CREAT | O_EXCL, 0600)`, so it is never
    /// readable by others, written and synced, then renamed into place. (FileManager's
    /// `createFile` writes first and sets the mode afterwards.)
    func write(_ data: Data, as name: String) throws {
        let target = file(name)
        let temporary = url.appendingPathComponent(".\(name).\(UUID().uuidString)")
        let descriptor = open(temporary.path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw SecretFileError(path: temporary.path, problem: "cannot be created (\(String(cString: strerror(errno))))")
        }
        let written = data.withUnsafeBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0 { if errno == EINTR { continue }; return false }
                offset += count
            }
            return fsync(descriptor) == 0
        }
        let problem = written ? nil : String(cString: strerror(errno))
        close(descriptor)
        if let problem {
            unlink(temporary.path)
            throw SecretFileError(path: target.path, problem: "cannot be written (\(problem))")
        }
        if rename(temporary.path, target.path) != 0 {
            let problem = String(cString: strerror(errno))
            unlink(temporary.path)
            throw SecretFileError(path: target.path, problem: "cannot be written (\(problem))")
        }
    }
}

/// A key file in `DATA/secrets` cannot be read, parsed or written; names the file.
struct SecretFileError: Error, CustomStringConvertible {
    let path: String
    let problem: String

    var description: String { "\(path) \(problem)" }
}
