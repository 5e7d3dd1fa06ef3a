import Foundation

/// `DATA/secrets`: the emulator's keys (token signing, Storage signing, TLS, webhooks), owner-only.
/// The folder is 0700 and each file is created 0600 before a byte is written, then renamed into
/// place, so no key is ever readable by others, not even for an instant, nor left half written.
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

    /// The contents of `name`, with its mode put back to 0600; nil when it does not exist.
    func read(_ name: String) throws -> Data? {
        let path = file(name).path
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return data
    }

    /// Writes `data` as `name`, 0600 from the start, renamed into place.
    func write(_ data: Data, as name: String) throws {
        let target = file(name)
        let temporary = url.appendingPathComponent(".\(name).\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw SecretFileError(path: temporary.path, problem: "cannot be created")
        }
        if rename(temporary.path, target.path) != 0 {
            let problem = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
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
