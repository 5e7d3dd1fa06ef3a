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

    private static let keyName = "identity-signing-key.pem"
    private static let certificateName = "identity-signing-certificate.pem"

    /// Loads the key of `dataDirectory`, creating it (and its certificate) on first use.
    static func loadOrCreate(dataDirectory: URL) throws -> IdentitySigningKey {
        let secrets = SecretsFolder(dataDirectory: dataDirectory)
        try secrets.prepare()
        if let keyPEM = try secrets.read(keyName).map({ String(decoding: $0, as: UTF8.self) }),
           let certificatePEM = try secrets.read(certificateName).map({ String(decoding: $0, as: UTF8.self) }) {
            let privateKey: _RSA.Signing.PrivateKey
            do {
                privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: keyPEM)
            } catch {
                throw SecretFileError(path: secrets.file(keyName).path, problem: "is not an RSA private key in PEM (\(error)); delete it to have a new key made")
            }
            return IdentitySigningKey(privateKey: privateKey, certificatePEM: certificatePEM, keyID: keyID(of: privateKey.publicKey))
        }
        let privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let certificatePEM = try makeCertificatePEM(for: privateKey)
        // The certificate first: the key file's presence is what marks the pair complete.
        try secrets.write(Data(certificatePEM.utf8), as: certificateName)
        try secrets.write(Data(privateKey.pemRepresentation.utf8), as: keyName)
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
}
