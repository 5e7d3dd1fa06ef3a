import JWTKit

/// The payload as jwt-kit hands it back once the signature holds. The claims are judged by
/// `IDTokenVerifier` against its own clock, so `verify(using:)` accepts everything.
struct SignedPayload: JWTPayload {
    let claims: JSONValue

    init(from decoder: any Decoder) throws {
        claims = try JSONValue(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        try claims.encode(to: encoder)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
