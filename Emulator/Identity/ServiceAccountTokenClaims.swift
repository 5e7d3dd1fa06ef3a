import JWTKit

/// The claims of a Google-signed ID token for a service account, as Pub/Sub push and Cloud
/// Tasks put in `Authorization: Bearer` and Cloud Run checks: `iss` `https://accounts.google.com`,
/// `aud`, `azp` and `sub` (the account's unique id), `email`, `email_verified`, `iat`, `exp`.
struct ServiceAccountTokenClaims: JWTPayload, Equatable {
    var iss: String
    var aud: String
    var azp: String
    var sub: String
    var email: String
    var email_verified: Bool
    var iat: Int64
    var exp: Int64

    /// Expiry and audience are the receiver's to check, as with Google's own tokens.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
