import Crypto
import Foundation

/// The webhook signing key of a data directory (`DATA/secrets/webhook-secret`, mode 0600 in a
/// 0700 folder): generated once when the pipeline configures none, so every webhook the local
/// pipeline sends is signed, and kept so that receivers can verify signatures across restarts.
struct WebhookSecretFile {
    private static let name = "webhook-secret"
    private let secrets: SecretsFolder
    var path: URL { secrets.file(Self.name) }

    init(dataDirectory: URL) {
        secrets = SecretsFolder(dataDirectory: dataDirectory)
    }

    /// The stored key, or a new random one (256 bits, hex) written with owner-only access.
    /// Returns whether it was created now.
    func readOrCreate() throws -> (secret: String, created: Bool) {
        try secrets.prepare()
        if let existing = try secrets.read(Self.name).map({ String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }), !existing.isEmpty {
            return (existing, false)
        }
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined()
        try secrets.write(Data((secret + "\n").utf8), as: Self.name)
        return (secret, true)
    }
}
