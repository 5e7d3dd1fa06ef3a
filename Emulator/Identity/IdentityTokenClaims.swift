import Foundation
import GoogleCloud
import JWTKit

/// The claims of a Firebase ID token: Google's registered claims, the `firebase` object, and
/// the account's custom claims at the top level (which is why it encodes itself by hand: the
/// set of keys is open). Decoding reads only what the emulator checks.
struct IdentityTokenClaims: JWTPayload, Equatable {
    var issuer: String
    var audience: String
    var authTime: Int64
    var issuedAt: Int64
    var expires: Int64
    var subject: String
    var email: String?
    var emailVerified: Bool
    var name: String?
    var custom: [String: JSONValue] = [:]

    /// Claims that custom claims may not use (Firebase's reserved list).
    static let reserved: Set<String> = ["acr", "amr", "at_hash", "aud", "auth_time", "azp", "cnf", "c_hash", "exp", "firebase",
                                        "iat", "iss", "jti", "nbf", "nonce", "sub", "user_id"]

    init(issuer: String, audience: String, authTime: Int64, issuedAt: Int64, expires: Int64, subject: String,
         email: String?, emailVerified: Bool, name: String?, custom: [String: JSONValue]) {
        self.issuer = issuer
        self.audience = audience
        self.authTime = authTime
        self.issuedAt = issuedAt
        self.expires = expires
        self.subject = subject
        self.email = email
        self.emailVerified = emailVerified
        self.name = name
        self.custom = custom
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        issuer = try container.decode(String.self, forKey: Key("iss"))
        audience = try container.decode(String.self, forKey: Key("aud"))
        authTime = try container.decodeIfPresent(Int64.self, forKey: Key("auth_time")) ?? 0
        issuedAt = try container.decode(Int64.self, forKey: Key("iat"))
        expires = try container.decode(Int64.self, forKey: Key("exp"))
        subject = try container.decode(String.self, forKey: Key("sub"))
        email = try container.decodeIfPresent(String.self, forKey: Key("email"))
        emailVerified = try container.decodeIfPresent(Bool.self, forKey: Key("email_verified")) ?? false
        name = try container.decodeIfPresent(String.self, forKey: Key("name"))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (key, value) in custom where !Self.reserved.contains(key) { try container.encode(value, forKey: Key(key)) }
        if let name { try container.encode(name, forKey: Key("name")) }
        try container.encode(issuer, forKey: Key("iss"))
        try container.encode(audience, forKey: Key("aud"))
        try container.encode(authTime, forKey: Key("auth_time"))
        try container.encode(subject, forKey: Key("user_id"))
        try container.encode(subject, forKey: Key("sub"))
        try container.encode(issuedAt, forKey: Key("iat"))
        try container.encode(expires, forKey: Key("exp"))
        if let email { try container.encode(email, forKey: Key("email")) }
        try container.encode(emailVerified, forKey: Key("email_verified"))
        let identities: [String: JSONValue] = email.map { ["email": .array([.string($0)])] } ?? [:]
        try container.encode(JSONValue.object(["identities": .object(identities), "sign_in_provider": .string("password")]), forKey: Key("firebase"))
    }

    /// Expiry and audience are checked by `IdentityTokens`, which answers with Firebase's codes.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
