import Crypto
import CryptoExtras
import Foundation
import SwiftASN1
import X509

/// An RSA key made in the test, its self-signed certificate and JWK, and tokens signed with it
/// (or deliberately not) carrying whatever header and claims a test asks for.
struct TestTokenSigner: Sendable {
    let kid: String
    let privateKey: _RSA.Signing.PrivateKey
    let certificatePEM: String

    init(kid: String) throws {
        self.kid = kid
        privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let key = Certificate.PrivateKey(privateKey)
        let name = try DistinguishedName { CommonName("securetoken.system.gserviceaccount.com") }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86400),
            issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: Certificate.Extensions(), issuerPrivateKey: key)
        certificatePEM = try certificate.serializeAsPEM().pemString
    }

    /// The key as a JWKS entry.
    func jwk() throws -> [String: String] {
        let primitives = try privateKey.publicKey.getKeyPrimitives()
        return ["kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
                "n": Self.base64URL(primitives.modulus), "e": Self.base64URL(primitives.publicExponent)]
    }

    /// A compact JWS of `claims`: RS256 with this key unless `header` says otherwise; `alg: none`
    /// gets an empty signature part, HS256 an HMAC keyed with the certificate (the classic confusion attack).
    func sign(_ claims: [String: Any], header: [String: Any]? = nil) throws -> String {
        let header = header ?? ["alg": "RS256", "kid": kid, "typ": "JWT"]
        let signingInput = Self.base64URL(try JSONSerialization.data(withJSONObject: header, options: .sortedKeys)) + "."
            + Self.base64URL(try JSONSerialization.data(withJSONObject: claims, options: .sortedKeys))
        let signature: Data
        switch header["alg"] as? String {
        case "none":
            signature = Data()
        case "HS256":
            signature = Data(HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: SymmetricKey(data: Data(certificatePEM.utf8))))
        default:
            signature = try privateKey.signature(for: Data(signingInput.utf8), padding: .insecurePKCS1v1_5).rawRepresentation
        }
        return signingInput + "." + Self.base64URL(signature)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
