import Crypto
import CryptoExtras
import Foundation
import SwiftASN1
import X509

/// The RSA key that signs the emulator's ID tokens, and its self-signed certificate: generated
/// once per data directory (`DATA/secrets/identity-signing-key.pem`, mode 0600 in a 0700 folder,
/// the certificate beside it) and kept, so tokens issued before a restart still verify after it.
/// The key id is derived from the public key, so it survives restarts too.
struct IdentitySigningKey: Sendable {
    let privateKey: _RSA.Signing.PrivateKey
    /// The certificate in PEM, as Google serves it under the key id.
    let certificatePEM: String
    /// The `kid` of tokens signed with this key: hex of the first 20 bytes of SHA-256 of the public key (DER).
    let keyID: String

    /// Loads the key of `dataDirectory`, creating it (and its certificate) on first use.
    static func loadOrCreate(dataDirectory: URL) throws -> IdentitySigningKey {
        let folder = dataDirectory.appendingPathComponent("secrets")
        let keyFile = folder.appendingPathComponent("identity-signing-key.pem")
        let certificateFile = folder.appendingPathComponent("identity-signing-certificate.pem")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        if let keyPEM = try? String(contentsOf: keyFile, encoding: .utf8), let certificatePEM = try? String(contentsOf: certificateFile, encoding: .utf8) {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile.path)
            let privateKey: _RSA.Signing.PrivateKey
            do {
                privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: keyPEM)
            } catch {
                throw IdentityKeyError(path: keyFile.path, problem: "is not an RSA private key in PEM (\(error)); delete it to have a new key made")
            }
            return IdentitySigningKey(privateKey: privateKey, certificatePEM: certificatePEM, keyID: keyID(of: privateKey.publicKey))
        }
        let privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let certificatePEM = try makeCertificatePEM(for: privateKey)
        // The certificate first: the key file's presence is what marks the pair complete.
        try writePrivately(certificatePEM, to: certificateFile)
        try writePrivately(privateKey.pemRepresentation, to: keyFile)
        return IdentitySigningKey(privateKey: privateKey, certificatePEM: certificatePEM, keyID: keyID(of: privateKey.publicKey))
    }

    /// The JWKS entry of the public key, as Google's `service_accounts/v1/jwk` lists it.
    func jwk() throws -> [String: String] {
        let primitives = try privateKey.publicKey.getKeyPrimitives()
        return ["kty": "RSA", "alg": "RS256", "use": "sig", "kid": keyID,
                "n": Self.base64URL(primitives.modulus), "e": Self.base64URL(primitives.publicExponent)]
    }

    private static func keyID(of publicKey: _RSA.Signing.PublicKey) -> String {
        SHA256.hash(data: publicKey.derRepresentation).prefix(20).map { String(format: "%02x", $0) }.joined()
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A self-signed certificate for the key, named as Google's token-signing certificates are.
    private static func makeCertificatePEM(for privateKey: _RSA.Signing.PrivateKey) throws -> String {
        let key = Certificate.PrivateKey(privateKey)
        let name = try DistinguishedName { CommonName("securetoken.system.gserviceaccount.com") }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 24 * 3600),
            issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
            },
            issuerPrivateKey: key)
        return try certificate.serializeAsPEM().pemString
    }

    /// Writes `text` to `file` with owner-only access from the start, then renames it into place.
    private static func writePrivately(_ text: String, to file: URL) throws {
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw IdentityKeyError(path: temporary.path, problem: "cannot be created")
        }
        if rename(temporary.path, file.path) != 0 {
            let problem = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw IdentityKeyError(path: file.path, problem: "cannot be written (\(problem))")
        }
    }
}
