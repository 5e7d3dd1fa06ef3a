import Crypto
import Foundation
import JWTKit

/// Mints the OIDC ID tokens that Pub/Sub pushes and Cloud Tasks dispatches carry when their
/// `oidcToken` names a service account. They are signed RS256 with the data directory's identity
/// key (`IdentitySigningKey`), the one whose public half the emulator serves at
/// `/oauth2/v1/certs` (X.509, what `google.oauth2.id_token.verify_token` reads) and
/// `/oauth2/v3/certs` (JWKS): one key, one place a receiver fetches it from, so a function
/// verifies a token exactly as it does Google's in Cloud Run, with only the certificate URL
/// pointed at the emulator. The key is loaded on first use, so senders built before the
/// server's routes still share the key those routes publish.
actor ServiceAccountIDTokens {
    /// What Google names as the issuer of the ID tokens it mints for service accounts.
    static let issuer = "https://accounts.google.com"
    /// Lifetime of a token, as Google issues them.
    static let lifetimeSeconds: Int64 = 3600

    private let dataDirectory: URL
    private var loaded: (keys: JWTKeyCollection, kid: JWKIdentifier)?

    /// Tokens signed with the identity key of `dataDirectory` (made there on first use).
    init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

    /// A signed ID token for `serviceAccount`, for `audience`, issued at `nowSeconds`.
    func token(serviceAccount: String, audience: String, nowSeconds: Int64 = Int64(Date().timeIntervalSince1970)) async throws -> String {
        let (keys, kid) = try await keyCollection()
        let claims = ServiceAccountTokenClaims(
            iss: Self.issuer, aud: audience, azp: Self.uniqueID(of: serviceAccount), sub: Self.uniqueID(of: serviceAccount),
            email: serviceAccount, email_verified: true, iat: nowSeconds, exp: nowSeconds + Self.lifetimeSeconds)
        var header = JWTHeader()
        header.typ = "JWT"
        return try await keys.sign(claims, kid: kid, header: header)
    }

    /// A stable 21-digit number standing for the account's unique id, as Google's `sub` is.
    static func uniqueID(of serviceAccount: String) -> String {
        let digest = SHA256.hash(data: Data(serviceAccount.lowercased().utf8))
        let value = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return "10" + String(format: "%019llu", value % 10_000_000_000_000_000_000)
    }

    private func keyCollection() async throws -> (JWTKeyCollection, JWKIdentifier) {
        if let loaded { return loaded }
        let key = try IdentitySigningKey.loadOrCreate(dataDirectory: dataDirectory)
        let keys = JWTKeyCollection()
        let kid = JWKIdentifier(string: key.keyID)
        await keys.add(rsa: try Insecure.RSA.PrivateKey(backing: key.privateKey), digestAlgorithm: .sha256, kid: kid)
        loaded = (keys, kid)
        return (keys, kid)
    }
}
