import Crypto
import CryptoExtras
import Foundation

/// The service account whose key signs and verifies V4 signed URLs: generated once per data
/// directory as a JSON key file in Google's format (`DATA/secrets/storage-service-account.json`,
/// mode 0600 in a 0700 folder), so `gcloud storage sign-url --private-key-file` and the client
/// libraries' `generate_signed_url` can sign with it, and URLs signed before a restart still
/// verify after it.
struct StorageServiceAccount: Sendable {
    /// The account every emulator key belongs to.
    static let defaultEmail = "storage-signer@pixelpipe-local.iam.gserviceaccount.com"
    /// File name of the key under `DATA/secrets/`.
    static let fileName = "storage-service-account.json"

    let email: String
    let privateKey: _RSA.Signing.PrivateKey
    /// Where the key file is.
    let path: String

    var publicKey: _RSA.Signing.PublicKey { privateKey.publicKey }
    /// Hex of the first 20 bytes of SHA-256 of the public key: the key file's `private_key_id`.
    var keyID: String { Self.keyID(of: privateKey.publicKey) }

    private static func keyID(of publicKey: _RSA.Signing.PublicKey) -> String {
        SHA256.hash(data: publicKey.derRepresentation).prefix(20).map { String(format: "%02x", $0) }.joined()
    }

    /// The fields of a JSON key file that matter here.
    private struct KeyFile: Codable {
        var type = "service_account"
        var project_id = "pixelpipe-local"
        var private_key_id: String
        var private_key: String
        var client_email: String
        var client_id = "100000000000000000001"
        // Loopback and closed: nothing may take this key to Google for tokens.
        var token_uri = "http://127.0.0.1:1/token"
        var universe_domain = "googleapis.com"
    }

    /// Loads the key of `dataDirectory`, creating it on first use.
    static func loadOrCreate(dataDirectory: URL) throws -> StorageServiceAccount {
        let secrets = SecretsFolder(dataDirectory: dataDirectory)
        try secrets.prepare()
        let file = secrets.file(fileName)
        if let data = try secrets.read(fileName) {
            do {
                let key = try JSONDecoder().decode(KeyFile.self, from: data)
                return StorageServiceAccount(email: key.client_email, privateKey: try _RSA.Signing.PrivateKey(pemRepresentation: key.private_key), path: file.path)
            } catch {
                throw SecretFileError(path: file.path, problem: "is not a service-account JSON key with an RSA private key (\(error)); delete it to have a new key made")
            }
        }
        let privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let key = KeyFile(private_key_id: keyID(of: privateKey.publicKey), private_key: privateKey.pkcs8PEMRepresentation, client_email: defaultEmail)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try secrets.write(try encoder.encode(key), as: fileName)
        return StorageServiceAccount(email: defaultEmail, privateKey: privateKey, path: file.path)
    }
}
