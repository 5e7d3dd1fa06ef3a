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

    /// Whether the custom claim `admin` is `true` (set by an admin's `accounts:update`).
    public var isAdmin: Bool { claims["admin"] == .bool(true) }
}
