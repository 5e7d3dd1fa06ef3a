import Foundation
import GoogleCloud

/// Firebase Auth's REST API, what the CLI signs in with: Identity Toolkit's
/// `accounts:signUp` and `accounts:signInWithPassword`, and Secure Token's refresh-token
/// exchange, each with the project's web API key as `?key=`. Refusals become `CLIError`s with
/// one sentence each (`FirebaseAuthRefusal`); the password is sent in the body and never
/// appears in an error.
public struct FirebaseAuthClient: Sendable {
    private let http: HTTPClient
    private let now: @Sendable () -> Date

    /// A client over `http`; `now` dates the ID tokens' expiries.
    public init(http: HTTPClient, now: @escaping @Sendable () -> Date = { Date() }) {
        self.http = http
        self.now = now
    }

    /// A new account: `POST {identityToolkitURL}/accounts:signUp?key=K`.
    public func signUp(email: String, password: String, configuration: SignInConfiguration) async throws(CLIError) -> AccountCredentials {
        try await account("signUp", email: email, password: password, configuration: configuration)
    }

    /// An existing account: `POST {identityToolkitURL}/accounts:signInWithPassword?key=K`.
    public func signIn(email: String, password: String, configuration: SignInConfiguration) async throws(CLIError) -> AccountCredentials {
        try await account("signInWithPassword", email: email, password: password, configuration: configuration)
    }

    /// `credentials` with a new ID token (and the refresh token Secure Token hands back):
    /// `POST {secureTokenURL}/token?key=K`, form `grant_type=refresh_token&refresh_token=R`.
    /// A refused refresh token (revoked, the account disabled or deleted) ends the sign-in.
    public func refreshed(_ credentials: AccountCredentials, api: String) async throws(CLIError) -> AccountCredentials {
        struct Refreshed: Decodable {
            var id_token: String
            var refresh_token: String
            var expires_in: String
            var user_id: String?
        }
        let url = Self.root(credentials.secureTokenURL) + "/token?key=" + GoogleAPIClient.percentEncoded(credentials.apiKey)
        let form = "grant_type=refresh_token&refresh_token=" + GoogleAPIClient.percentEncoded(credentials.refreshToken)
        let response = try await post(url, contentType: "application/x-www-form-urlencoded", body: Data(form.utf8))
        guard response.status == 200 else {
            let message = Self.errorMessage(response) ?? "HTTP \(response.status)"
            if (400..<500).contains(response.status) {
                throw .signInEnded(api, "the sign-in of \(credentials.email) no longer holds (\(Self.refreshRefusal(message)))")
            }
            throw .unexpectedAnswer("the sign-in service could not refresh the ID token: \(message)")
        }
        guard let answer = try? JSONDecoder().decode(Refreshed.self, from: response.body), let lifetime = TimeInterval(answer.expires_in) else {
            throw .unexpectedAnswer("the sign-in service answered a refresh with what is not a token")
        }
        var updated = credentials
        updated.idToken = answer.id_token
        updated.refreshToken = answer.refresh_token
        updated.idTokenExpiresAt = now().addingTimeInterval(lifetime)
        if let uid = answer.user_id { updated.uid = uid }
        return updated
    }

    // MARK: Exchange

    private func account(_ verb: String, email: String, password: String, configuration: SignInConfiguration) async throws(CLIError) -> AccountCredentials {
        struct SignedIn: Decodable {
            var idToken: String
            var refreshToken: String
            var expiresIn: String
            var localId: String
            var email: String?
        }
        let url = Self.root(configuration.identityToolkitURL) + "/accounts:\(verb)?key=" + GoogleAPIClient.percentEncoded(configuration.apiKey)
        let body: [String: JSONValue] = ["email": .string(email), "password": .string(password), "returnSecureToken": .bool(true)]
        let response = try await post(url, contentType: "application/json", body: (try? JSONEncoder().encode(body)) ?? Data())
        guard response.status == 200 else {
            let message = Self.errorMessage(response) ?? "HTTP \(response.status)"
            if (400..<500).contains(response.status) { throw .signInRefused(FirebaseAuthRefusal.sentence(for: message, email: email)) }
            throw .unexpectedAnswer("the sign-in service failed: \(message)")
        }
        guard let answer = try? JSONDecoder().decode(SignedIn.self, from: response.body), let lifetime = TimeInterval(answer.expiresIn) else {
            throw .unexpectedAnswer("the sign-in service answered accounts:\(verb) with what is not a sign-in")
        }
        return AccountCredentials(
            email: answer.email ?? email, uid: answer.localId, refreshToken: answer.refreshToken, idToken: answer.idToken,
            idTokenExpiresAt: now().addingTimeInterval(lifetime), projectId: configuration.projectId, apiKey: configuration.apiKey,
            secureTokenURL: configuration.secureTokenURL
        )
    }

    private func post(_ url: String, contentType: String, body: Data) async throws(CLIError) -> HTTPClient.Response {
        do {
            return try await http.execute(.init(method: "POST", url: url, headers: [("Content-Type", contentType), ("Accept", "application/json")], body: body, timeout: .seconds(30)))
        } catch {
            // The URL without its query: the API key is not a secret, but it is not worth printing.
            throw .signInUnreachable(String(url.prefix { $0 != "?" }), error)
        }
    }

    /// Google's error message (`EMAIL_EXISTS`, `WEAK_PASSWORD : …`) in an error answer.
    private static func errorMessage(_ response: HTTPClient.Response) -> String? {
        (try? JSONDecoder().decode(GoogleErrorBody.self, from: response.body))?.error.message
    }

    /// Secure Token's refusal as words.
    static func refreshRefusal(_ message: String) -> String {
        switch message.split(separator: ":").first.map({ $0.trimmingCharacters(in: .whitespaces) }) ?? message {
        case "TOKEN_EXPIRED", "INVALID_REFRESH_TOKEN": "the refresh token was revoked or has expired"
        case "USER_DISABLED": "the account is disabled"
        case "USER_NOT_FOUND": "the account no longer exists"
        default: message
        }
    }

    private static func root(_ url: String) -> String {
        var root = url
        while root.hasSuffix("/") { root.removeLast() }
        return root
    }
}
