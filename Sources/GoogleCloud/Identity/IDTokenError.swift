/// Why a token was refused. `reason` is a short fixed phrase a 401 body can carry; the
/// description adds the offending claim or key id, and never any part of the token itself.
public struct IDTokenError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case malformed = "malformed"
        case unsupportedAlgorithm = "unsupported algorithm"
        case unknownKeyID = "unknown key id"
        case badSignature = "bad signature"
        case wrongIssuer = "wrong issuer"
        case wrongAudience = "wrong audience"
        case expired = "expired"
        case issuedInFuture = "issued in the future"
        case badSubject = "bad subject"
        case emailNotAllowed = "email not allowed"
        case emailNotVerified = "email not verified"
        case keysUnavailable = "keys unavailable"
    }

    private let code: Code
    /// What was found, for operators: a claim's value, a key id, a status. Never the token.
    public let detail: String

    private init(_ code: Code, _ detail: String) {
        self.code = code
        // Claim values come from the sender: kept short so a hostile token cannot fill logs.
        self.detail = detail.count > 120 ? String(detail.prefix(120)) + "…" : detail
    }

    /// The fixed phrase, safe for a response body or a metrics label.
    public var reason: String { code.rawValue }

    /// True when the key server could not be reached or answered nonsense: the token was not
    /// judged, so the caller should answer 503 rather than 401.
    public var isTransient: Bool { code == .keysUnavailable }

    public var description: String { detail.isEmpty ? reason : "\(reason): \(detail)" }

    /// Not three base64url parts of JSON, or a claim of the wrong type.
    public static func malformed(_ detail: String) -> IDTokenError { .init(.malformed, detail) }
    /// `alg` is not RS256 (`none`, HS256 and the rest are refused).
    public static func unsupportedAlgorithm(_ alg: String) -> IDTokenError { .init(.unsupportedAlgorithm, "alg \(alg)") }
    /// `kid` names no current public key, even after a refetch.
    public static func unknownKeyID(_ kid: String) -> IDTokenError { .init(.unknownKeyID, "kid \(kid)") }
    /// The signature does not match the key named by `kid`.
    public static let badSignature = IDTokenError(.badSignature, "")
    /// `iss` is not the expected issuer.
    public static func wrongIssuer(_ issuer: String) -> IDTokenError { .init(.wrongIssuer, "iss \(issuer)") }
    /// `aud` is not the expected audience.
    public static func wrongAudience(_ audience: String) -> IDTokenError { .init(.wrongAudience, "aud \(audience)") }
    /// `exp` is past, beyond the allowed clock skew.
    public static func expired(_ detail: String) -> IDTokenError { .init(.expired, detail) }
    /// `iat` or `auth_time` lies ahead, beyond the allowed clock skew.
    public static func issuedInFuture(_ detail: String) -> IDTokenError { .init(.issuedInFuture, detail) }
    /// `sub` is missing, empty or longer than 128 characters.
    public static func badSubject(_ detail: String) -> IDTokenError { .init(.badSubject, detail) }
    /// A service-account token whose `email` is not in the allow-list.
    public static func emailNotAllowed(_ email: String) -> IDTokenError { .init(.emailNotAllowed, "email \(email)") }
    /// A service-account token whose `email_verified` is not true.
    public static let emailNotVerified = IDTokenError(.emailNotVerified, "")
    /// The public keys could not be fetched or parsed.
    public static func keysUnavailable(_ detail: String) -> IDTokenError { .init(.keysUnavailable, detail) }

    public static func == (lhs: IDTokenError, rhs: IDTokenError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
