/// Who a verified token speaks for.
public struct VerifiedIdentity: Sendable, Hashable {
    /// `sub`: the Firebase uid, or the service account's unique id.
    public let uid: String
    /// `email`, if the token carries one.
    public let email: String?
    /// `email_verified`.
    public let emailVerified: Bool
    /// `firebase.sign_in_provider` (`password`, `google.com`, `custom`…); nil for Google tokens.
    public let signInProvider: String?
    /// Every claim of the payload, custom claims (`admin`) included.
    public let claims: [String: JSONValue]

    /// `auth_time`: when the user signed in (seconds since the epoch), for revocation checks
    /// against an account's `validSince`; nil for tokens without it (Google's).
    public var authTime: Int64? {
        switch claims["auth_time"] {
        case .integer(let seconds)?: seconds
        case .double(let seconds)?: Int64(seconds)
        default: nil
        }
    }

    /// Whether the custom claim `admin` is `true` (set by an admin's `accounts:update`).
    public var isAdmin: Bool { claims["admin"] == .bool(true) }
}
