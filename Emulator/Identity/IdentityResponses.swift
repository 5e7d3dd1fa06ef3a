/// The response bodies of Identity Toolkit v1 and Secure Token, member for member as Google
/// sends them (numbers that Google sends as strings are strings here too).
enum IdentityResponses {
    /// `accounts:signUp` and `accounts:signInWithPassword`.
    struct SignedIn: Encodable, Sendable {
        var kind: String
        var localId: String
        var email: String?
        var displayName: String?
        var idToken: String
        var refreshToken: String
        var expiresIn: String
        /// Only `signInWithPassword` says so.
        var registered: Bool?
    }

    /// The admin create: the account, without tokens.
    struct Created: Encodable, Sendable {
        var kind = "identitytoolkit#SignupNewUserResponse"
        var localId: String
        var email: String?
        var displayName: String?
    }

    /// One entry of `providerUserInfo`.
    struct ProviderInfo: Encodable, Sendable {
        var providerId = "password"
        var federatedId: String
        var email: String
        var rawId: String
        var displayName: String?
    }

    /// One account of `accounts:lookup`; never its password hash.
    struct User: Encodable, Sendable {
        var localId: String
        var email: String?
        var emailVerified: Bool
        var displayName: String?
        var providerUserInfo: [ProviderInfo]
        var passwordUpdatedAt: Int64?
        var validSince: String
        var disabled: Bool
        var lastLoginAt: String?
        var createdAt: String
        var customAttributes: String?

        init(_ account: IdentityAccount) {
            localId = account.localID
            email = account.email
            emailVerified = account.emailVerified
            displayName = account.displayName
            providerUserInfo = account.email.map { [ProviderInfo(federatedId: $0, email: $0, rawId: $0, displayName: account.displayName)] } ?? []
            passwordUpdatedAt = account.passwordUpdatedAtMilliseconds
            validSince = String(account.validSinceSeconds)
            disabled = account.disabled
            lastLoginAt = account.lastLoginAtMilliseconds.map(String.init)
            createdAt = String(account.createdAtMilliseconds)
            customAttributes = account.customAttributes
        }
    }

    /// `accounts:lookup`: `users` is absent when none matched, as Google sends it.
    struct Lookup: Encodable, Sendable {
        var kind = "identitytoolkit#GetAccountInfoResponse"
        var users: [User]?
    }

    /// `accounts:update`; a user's own call gets fresh tokens back.
    struct Updated: Encodable, Sendable {
        var kind = "identitytoolkit#SetAccountInfoResponse"
        var localId: String
        var email: String?
        var displayName: String?
        var emailVerified: Bool
        var providerUserInfo: [ProviderInfo]
        var idToken: String?
        var refreshToken: String?
        var expiresIn: String?
    }

    /// `accounts:delete`.
    struct Deleted: Encodable, Sendable {
        var kind = "identitytoolkit#DeleteAccountResponse"
    }

    /// `securetoken.googleapis.com/v1/token`, in Secure Token's snake case.
    struct Refreshed: Encodable, Sendable {
        var access_token: String
        var expires_in: String
        var token_type = "Bearer"
        var refresh_token: String
        var id_token: String
        var user_id: String
        var project_id: String
    }
}
