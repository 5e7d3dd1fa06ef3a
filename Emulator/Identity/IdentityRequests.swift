import GoogleCloud

/// The request bodies of Identity Toolkit v1 that the emulator reads (unknown members are ignored,
/// as Google ignores them). Admin-only members count only with the admin credential.
enum IdentityRequests {
    /// `accounts:signUp`, and the admin create (`projects/P/accounts`).
    struct SignUp: Decodable, Sendable {
        var email: String?
        var password: String?
        var displayName: String?
        /// Admin only: the uid to give the account (Identity Toolkit makes one otherwise).
        var localId: String?
        /// Admin only.
        var emailVerified: Bool?
        /// Admin only.
        var disabled: Bool?
    }

    /// `accounts:signInWithPassword`.
    struct SignIn: Decodable, Sendable {
        var email: String?
        var password: String?
    }

    /// `accounts:lookup`: by `idToken` (a user), or by `localId`/`email` lists (an admin).
    struct Lookup: Decodable, Sendable {
        var idToken: String?
        var localId: [String]?
        var email: [String]?
    }

    /// `accounts:update`: by `idToken` (a user) or `localId` (an admin).
    struct Update: Decodable, Sendable {
        var idToken: String?
        var localId: String?
        var email: String?
        var password: String?
        var displayName: String?
        /// `["DISPLAY_NAME"]` clears the display name.
        var deleteAttribute: [String]?
        /// Admin only: the custom claims, a JSON object serialized as a string.
        var customAttributes: String?
        /// Admin only.
        var emailVerified: Bool?
        /// Admin only.
        var disableUser: Bool?
        /// Admin only: seconds since the epoch before which the account's tokens are revoked
        /// (what the Admin SDKs' `revokeRefreshTokens` sends; a number or a decimal string).
        var validSince: FlexibleInt64?
        var returnSecureToken: Bool?
    }

    /// `accounts:delete`: by `idToken` (a user) or `localId` (an admin).
    struct Delete: Decodable, Sendable {
        var idToken: String?
        var localId: String?
    }
}
