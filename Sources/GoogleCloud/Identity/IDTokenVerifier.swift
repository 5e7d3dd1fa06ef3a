import Foundation
import JWTKit

/// Verifies RS256 identity tokens: Firebase ID tokens of one project, or Google-signed identity
/// tokens of allowed service accounts for one audience. The algorithm, key id and signature are
/// checked first (jwt-kit checks the signature), then the claims against the verifier's clock,
/// with `clockSkew` allowed either way. Errors carry a reason and never any part of the token.
public struct IDTokenVerifier: Sendable {
    /// Whose tokens are accepted.
    public enum Audience: Sendable, Hashable {
        /// Firebase ID tokens: `iss` `https://securetoken.google.com/PROJECT`, `aud` PROJECT.
        case firebase(projectID: String)
        /// Google-signed tokens: `iss` `https://accounts.google.com`, `aud` the URL given,
        /// `email` one of `allowedEmails` and `email_verified` true.
        case googleServiceAccount(audience: String, allowedEmails: Set<String>)
    }

    /// Where Google serves the X.509 certificates of Firebase ID tokens.
    public static let firebaseCertificatesURL = "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
    /// Where Google serves the X.509 certificates of its OAuth2 identity tokens.
    public static let googleCertificatesURL = "https://www.googleapis.com/oauth2/v1/certs"
    /// The default tolerance for clocks apart: the most Firebase's Python Admin SDK allows (Go's and .NET's allow 5 minutes).
    public static let defaultClockSkew: Duration = .seconds(60)

    /// Whose tokens are accepted.
    public let audience: Audience
    /// The public keys, cached per Cache-Control.
    public let keys: TokenSigningKeys
    /// How far `exp`, `iat` and `auth_time` may be off the verifier's clock.
    public let clockSkew: Duration
    private let now: @Sendable () -> Date

    /// A verifier for `audience` with keys from `keys`; `now` is the clock (tests inject one, and
    /// should hand the same to `keys`).
    public init(audience: Audience, keys: TokenSigningKeys, clockSkew: Duration = defaultClockSkew,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.audience = audience
        self.keys = keys
        self.clockSkew = clockSkew
        self.now = now
    }

    /// Verifies `token` and returns whom it identifies, or throws why not.
    public func verify(_ token: String) async throws(IDTokenError) -> VerifiedIdentity {
        let unverified = try UnverifiedToken(token)
        guard let algorithm = unverified.algorithm else { throw .malformed("header has no alg") }
        guard algorithm == "RS256" else { throw .unsupportedAlgorithm(algorithm) }
        guard let kid = unverified.keyID, !kid.isEmpty else { throw .malformed("header has no kid") }
        let collection = try await keys.keys(containing: kid)
        do {
            _ = try await collection.verify(token, as: SignedPayload.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .badSignature
        } catch {
            // jwt-kit's own messages may quote the token's parts; only the reason goes out.
            throw .malformed("jwt-kit refused the token (\(String(describing: (error as? JWTError)?.errorType ?? .generic)))")
        }
        try checkIssuerAndAudience(unverified)
        try checkTimes(unverified)
        guard let subject = try unverified.string("sub"), !subject.isEmpty else { throw .badSubject("sub is missing or empty") }
        guard subject.count <= 128 else { throw .badSubject("sub is longer than 128 characters") }
        let email = try unverified.string("email")
        let emailVerified = unverified.claims["email_verified"] == .bool(true)
        if case .googleServiceAccount(_, let allowedEmails) = audience {
            guard let email, allowedEmails.contains(email) else { throw .emailNotAllowed(email ?? "(none)") }
            guard emailVerified else { throw .emailNotVerified }
        }
        var provider: String?
        if case .object(let firebase)? = unverified.claims["firebase"], case .string(let name)? = firebase["sign_in_provider"] {
            provider = name
        }
        return VerifiedIdentity(uid: subject, email: email, emailVerified: emailVerified, signInProvider: provider, claims: unverified.claims)
    }

    private func checkIssuerAndAudience(_ token: UnverifiedToken) throws(IDTokenError) {
        let issuer = try token.string("iss") ?? ""
        let audiences = try token.audiences()
        switch audience {
        case .firebase(let projectID):
            guard audiences == [projectID] else { throw .wrongAudience(audiences.joined(separator: ",")) }
            guard issuer == "https://securetoken.google.com/\(projectID)" else { throw .wrongIssuer(issuer) }
        case .googleServiceAccount(let expected, _):
            guard audiences.contains(expected) else { throw .wrongAudience(audiences.joined(separator: ",")) }
            // Google writes either form (its own libraries accept both).
            guard issuer == "https://accounts.google.com" || issuer == "accounts.google.com" else { throw .wrongIssuer(issuer) }
        }
    }

    private func checkTimes(_ token: UnverifiedToken) throws(IDTokenError) {
        let now = self.now().timeIntervalSince1970
        let (skewSeconds, skewAttoseconds) = clockSkew.components
        let skew = Double(skewSeconds) + Double(skewAttoseconds) / 1e18
        guard let expires = try token.seconds("exp") else { throw .malformed("claim exp is missing") }
        guard now < expires + skew else { throw .expired("exp \(Int64(expires)), now \(Int64(now))") }
        guard let issuedAt = try token.seconds("iat") else { throw .malformed("claim iat is missing") }
        guard issuedAt <= now + skew else { throw .issuedInFuture("iat \(Int64(issuedAt)), now \(Int64(now))") }
        if case .firebase = audience {
            guard let authTime = try token.seconds("auth_time") else { throw .malformed("claim auth_time is missing") }
            guard authTime <= now + skew else { throw .issuedInFuture("auth_time \(Int64(authTime)), now \(Int64(now))") }
        }
    }
}
