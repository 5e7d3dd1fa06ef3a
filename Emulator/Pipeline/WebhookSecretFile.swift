import Crypto
import Foundation

/// The webhook signing key of a data directory (`DATA/secrets/webhook-secret`, mode 0600 in a
/// 0700 folder): generated once when the pipeline configures none, so every webhook the local
/// pipeline sends is signed, and kept so that receivers can verify signatures across restarts.
struct WebhookSecretFile {
    let path: URL

    init(dataDirectory: URL) {
        path = dataDirectory.appendingPathComponent("secrets").appendingPathComponent("webhook-secret")
    }

    /// The stored key, or a new random one (256 bits, hex) written with owner-only access.
    /// Returns whether it was created now.
    func readOrCreate() throws -> (secret: String, created: Bool) {
        let folder = path.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        if let existing = try? String(contentsOf: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !existing.isEmpty {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path.path)
            return (existing, false)
        }
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined()
        // Created 0600 from the start (never world-readable, not even for an instant), then renamed into place.
        let temporary = folder.appendingPathComponent(".webhook-secret.\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        if rename(temporary.path, path.path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        return (secret, true)
    }
}
