import Foundation

/// One API's sign-in, as the credentials file keeps it: who signed in, the refresh token that
/// keeps them signed in, where to exchange it, and the last ID token with its expiry.
public struct AccountCredentials: Codable, Sendable, Equatable {
    public var email: String
    public var uid: String
    public var refreshToken: String
    /// The last ID token, sent as `Authorization: Bearer …` until it is about to expire.
    public var idToken: String
    public var idTokenExpiresAt: Date
    public var projectId: String
    public var apiKey: String
    public var secureTokenURL: String

    public init(email: String, uid: String, refreshToken: String, idToken: String, idTokenExpiresAt: Date,
                projectId: String, apiKey: String, secureTokenURL: String) {
        self.email = email
        self.uid = uid
        self.refreshToken = refreshToken
        self.idToken = idToken
        self.idTokenExpiresAt = idTokenExpiresAt
        self.projectId = projectId
        self.apiKey = apiKey
        self.secureTokenURL = secureTokenURL
    }

    /// How long before its expiry an ID token is replaced: a command that starts with less
    /// left could see it expire midway through a long upload or wait.
    public static let refreshMargin: TimeInterval = 5 * 60

    /// Whether the cached ID token still has more than `refreshMargin` to live at `now`.
    public func idTokenIsFresh(at now: Date) -> Bool {
        idTokenExpiresAt.timeIntervalSince(now) > Self.refreshMargin
    }
}
