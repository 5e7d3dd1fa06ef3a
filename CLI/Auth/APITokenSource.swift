import Foundation
import GoogleCloud

/// The Firebase ID token every jobs API request carries as `Authorization: Bearer …`:
/// `PIXELPIPE_TOKEN` when set (a raw ID token, for scripts and CI), else the signed-in user's
/// from the credentials file — the cached one while it has more than five minutes to live,
/// else a new one for the refresh token, saved back for the next command.
public struct APITokenSource: Sendable {
    private let store: CredentialsStore
    private let auth: FirebaseAuthClient
    private let override: String?
    private let now: @Sendable () -> Date

    /// A source reading `store`, refreshing through `auth`; `override` is `PIXELPIPE_TOKEN`.
    public init(store: CredentialsStore, auth: FirebaseAuthClient, override: String?, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.auth = auth
        self.override = override.flatMap { $0.isEmpty ? nil : $0 }
        self.now = now
    }

    /// The source this process's environment describes.
    public static func standard(environment: [String: String], http: HTTPClient) throws(CLIError) -> APITokenSource {
        APITokenSource(store: try CredentialsStore.located(environment: environment), auth: FirebaseAuthClient(http: http), override: environment["PIXELPIPE_TOKEN"])
    }

    /// The ID token to send to the API at `endpoint`; not signed in to it is an error saying
    /// how to sign in.
    public func token(for endpoint: APIEndpoint) async throws(CLIError) -> String {
        if let override { return override }
        guard let credentials = try store.credentials(for: endpoint.baseURL) else { throw .notSignedIn(endpoint.baseURL) }
        return try await fresh(credentials, for: endpoint).idToken
    }

    /// `credentials` with an ID token that has more than `AccountCredentials.refreshMargin` to
    /// live, refreshed and saved when the cached one has not.
    public func fresh(_ credentials: AccountCredentials, for endpoint: APIEndpoint) async throws(CLIError) -> AccountCredentials {
        if credentials.idTokenIsFresh(at: now()) { return credentials }
        let refreshed = try await auth.refreshed(credentials, api: endpoint.baseURL)
        try store.save(refreshed, for: endpoint.baseURL)
        return refreshed
    }

    /// Whether the token comes from `PIXELPIPE_TOKEN` rather than a sign-in.
    public var isOverridden: Bool { override != nil }

    /// The credentials kept for `endpoint`, if any (`whoami`, `logout`).
    public func credentials(for endpoint: APIEndpoint) throws(CLIError) -> AccountCredentials? {
        try store.credentials(for: endpoint.baseURL)
    }
}
