import Foundation
import GoogleCloud

/// The Firebase ID token every request to one API carries as `Authorization: Bearer …`, kept
/// fresh for as long as the command runs (a `--wait` can outlast a token): `PIXELPIPE_TOKEN` when
/// set (a raw ID token, for scripts and CI), else the signed-in user's from the credentials file
/// — the cached one while it has more than five minutes to live, else a new one for the refresh
/// token, saved back for the next command.
public actor APITokenSource {
    /// The API the tokens are for.
    public nonisolated let endpoint: APIEndpoint
    /// Whether the token is `PIXELPIPE_TOKEN`'s rather than a sign-in's.
    public nonisolated let isOverridden: Bool
    private let store: CredentialsStore
    private let auth: FirebaseAuthClient
    private let override: String?
    private let now: @Sendable () -> Date
    /// The sign-in as last read or refreshed.
    private var credentials: AccountCredentials?

    /// A source for `endpoint` reading `store`, refreshing through `auth`; `override` is `PIXELPIPE_TOKEN`.
    public init(endpoint: APIEndpoint, store: CredentialsStore, auth: FirebaseAuthClient, override: String?,
                now: @escaping @Sendable () -> Date = { Date() }) throws(CLIError) {
        self.endpoint = endpoint
        self.store = store
        self.auth = auth
        self.override = override.flatMap { $0.isEmpty ? nil : $0 }
        self.isOverridden = self.override != nil
        self.now = now
        self.credentials = isOverridden ? nil : try store.credentials(for: endpoint.baseURL)
    }

    /// The source this process's environment describes for `endpoint`.
    public static func standard(endpoint: APIEndpoint, environment: [String: String], http: HTTPClient) throws(CLIError) -> APITokenSource {
        try APITokenSource(endpoint: endpoint, store: try CredentialsStore.located(environment: environment), auth: FirebaseAuthClient(http: http),
                           override: environment["PIXELPIPE_TOKEN"])
    }

    /// The ID token to send now; not signed in to the API is an error saying how to sign in.
    /// (Two requests finding the token stale at once may both refresh it: both answers are valid.)
    public func token() async throws(CLIError) -> String {
        if let override { return override }
        guard let credentials else { throw .notSignedIn(endpoint.baseURL) }
        if credentials.idTokenIsFresh(at: now()) { return credentials.idToken }
        let refreshed = try await auth.refreshed(credentials, api: endpoint.baseURL)
        try store.save(refreshed, for: endpoint.baseURL)
        self.credentials = refreshed
        return refreshed.idToken
    }
}
