import Crypto
import Foundation
import GoogleCloud
import JWTKit

/// Mints and checks the emulator's ID tokens (RS256, signed with the data directory's key) and
/// makes refresh tokens: 32 random bytes, base64url, of which only a SHA-256 digest is stored.
actor IdentityTokens {
    /// Lifetime of an ID token, as Firebase issues them (`expiresIn: "3600"`).
    static let lifetimeSeconds: Int64 = 3600

    let key: IdentitySigningKey
    private let keys = JWTKeyCollection()
    private var keyAdded = false

    init(key: IdentitySigningKey) {
        self.key = key
    }

    /// The issuer Firebase names in a project's ID tokens.
    static func issuer(project: String) -> String { "https://securetoken.google.com/\(project)" }

    /// A signed ID token for `account`, issued now, carrying its custom claims.
    func idToken(for account: IdentityAccount, authTimeSeconds: Int64, nowSeconds: Int64) async throws -> String {
        let claims = IdentityTokenClaims(
            issuer: Self.issuer(project: account.project), audience: account.project, authTime: authTimeSeconds,
            issuedAt: nowSeconds, expires: nowSeconds + Self.lifetimeSeconds, subject: account.localID,
            email: account.email, emailVerified: account.emailVerified, name: account.displayName, custom: account.customClaims)
        var header = JWTHeader()
        header.typ = "JWT"
        return try await collection().sign(claims, kid: JWKIdentifier(string: key.keyID), header: header)
    }

    /// The claims of `token` when this emulator signed it for `project` and it has not expired:
    /// `INVALID_ID_TOKEN` for anything else, `TOKEN_EXPIRED` once `exp` has passed.
    func verify(_ token: String, project: String, nowSeconds: Int64) async throws -> IdentityTokenClaims {
        let claims: IdentityTokenClaims
        do {
            claims = try await collection().verify(token, as: IdentityTokenClaims.self)
        } catch {
            throw GoogleAPIError.invalidIDToken
        }
        guard claims.issuer == Self.issuer(project: project), claims.audience == project, !claims.subject.isEmpty else {
            throw GoogleAPIError.invalidIDToken
        }
        guard claims.expires > nowSeconds else { throw GoogleAPIError.tokenExpired }
        return claims
    }

    /// A new refresh token and the digest under which it is stored.
    nonisolated static func makeRefreshToken() -> (token: String, digest: String) {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let token = bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return (token, digest(of: token))
    }

    /// The stored form of a refresh token.
    nonisolated static func digest(of refreshToken: String) -> String {
        SHA256.hash(data: Data(refreshToken.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private func collection() async throws -> JWTKeyCollection {
        if !keyAdded {
            await keys.add(rsa: try Insecure.RSA.PrivateKey(backing: key.privateKey), digestAlgorithm: .sha256, kid: JWKIdentifier(string: key.keyID))
            keyAdded = true
        }
        return keys
    }
}
