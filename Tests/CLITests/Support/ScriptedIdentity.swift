import Foundation
import GoogleCloud
import PipelineModel
import Synchronization
import TestSupport

/// The sign-in side of `ContractServer`: the API's `/config.json` and a small Firebase Auth
/// (Identity Toolkit `accounts:signUp` / `accounts:signInWithPassword`, Secure Token's refresh),
/// on the same port, with accounts and tokens a test can inspect and revoke. Tokens are opaque
/// strings (`id-UID-N`, `refresh-UID-N`): the CLI never looks inside them.
final class ScriptedIdentity: Sendable {
    /// The web API key `/config.json` names; requests with another are refused.
    static let apiKey = "test-api-key"
    /// An ID token accepted without signing in, as a script's `PIXELPIPE_TOKEN`.
    static let scriptToken = "script-token"

    private struct Account {
        var password: String
        var uid: String
        var disabled = false
    }

    private struct State {
        var accounts: [String: Account] = [:]
        /// ID tokens the API accepts, and whose they are.
        var idTokens: [String: String] = [ScriptedIdentity.scriptToken: "script-user"]
        /// Refresh tokens Secure Token exchanges, and whose they are.
        var refreshTokens: [String: String] = [:]
        var issued = 0
    }

    private let state = Mutex(State())

    /// Whether the API serves `GET /v1/me`; a 404 when not.
    let servesMe: Bool

    init(servesMe: Bool = true) {
        self.servesMe = servesMe
    }

    /// The uid of `email`'s account, if it has one.
    func uid(of email: String) -> String? { state.withLock { $0.accounts[email]?.uid } }

    /// Ends every session of `email`: its ID tokens are refused by the API, its refresh tokens by
    /// Secure Token (as when the user is deleted or their tokens revoked).
    func revoke(_ email: String) {
        state.withLock { state in
            guard let uid = state.accounts[email]?.uid else { return }
            state.idTokens = state.idTokens.filter { $0.value != uid }
            state.refreshTokens = state.refreshTokens.filter { $0.value != uid }
        }
    }

    /// Whose the `Authorization` header's ID token is, if the API accepts it.
    func user(authorization: String?) -> String? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        return state.withLock { $0.idTokens[String(authorization.dropFirst("Bearer ".count))] }
    }

    /// The answer to `request` if it is one of the sign-in routes, else nil.
    func answer(_ request: RecordedRequest, port: Int) -> (status: Int, body: String, headers: [String: String])? {
        let base = "http://127.0.0.1:\(port)"
        switch (request.method, request.path) {
        case ("GET", "/config.json"):
            return json(200, [
                "projectId": "pixelpipe-test", "apiKey": Self.apiKey,
                "identityToolkitURL": "\(base)/identitytoolkit.googleapis.com/v1", "secureTokenURL": "\(base)/securetoken.googleapis.com/v1",
            ])
        case ("POST", "/identitytoolkit.googleapis.com/v1/accounts:signUp"), ("POST", "/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword"):
            guard request.query == "key=\(Self.apiKey)" else { return refusal("API_KEY_INVALID") }
            let body = request.json ?? [:]
            guard let email = body["email"] as? String, email.contains("@") else { return refusal("INVALID_EMAIL") }
            guard let password = body["password"] as? String, !password.isEmpty else { return refusal("MISSING_PASSWORD") }
            let signUp = request.path.hasSuffix(":signUp")
            return state.withLock { state in
                if signUp {
                    guard state.accounts[email] == nil else { return refusal("EMAIL_EXISTS") }
                    guard password.count >= 6 else { return refusal("WEAK_PASSWORD : Password should be at least 6 characters") }
                    state.accounts[email] = Account(password: password, uid: "uid\(state.accounts.count + 1)")
                }
                guard let account = state.accounts[email] else { return refusal("EMAIL_NOT_FOUND") }
                guard account.password == password else { return refusal("INVALID_PASSWORD") }
                guard !account.disabled else { return refusal("USER_DISABLED") }
                let (id, refresh) = Self.issue(for: account.uid, in: &state)
                return json(200, ["idToken": id, "refreshToken": refresh, "expiresIn": "3600", "localId": account.uid, "email": email])
            }
        case ("POST", "/securetoken.googleapis.com/v1/token"):
            guard request.query == "key=\(Self.apiKey)" else { return refusal("API_KEY_INVALID") }
            let form = Dictionary(String(decoding: request.body, as: UTF8.self).split(separator: "&").map { pair -> (String, String) in
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                return (parts[0], parts.count > 1 ? parts[1] : "")
            }, uniquingKeysWith: { first, _ in first })
            guard form["grant_type"] == "refresh_token", let token = form["refresh_token"] else { return refusal("INVALID_GRANT_TYPE") }
            return state.withLock { state in
                guard let uid = state.refreshTokens[token] else { return refusal("INVALID_REFRESH_TOKEN") }
                let (id, refresh) = Self.issue(for: uid, in: &state)
                return json(200, ["id_token": id, "refresh_token": refresh, "expires_in": "3600", "user_id": uid, "token_type": "Bearer"])
            }
        case ("GET", "/v1/me"):
            guard servesMe else { return nil }
            guard let uid = user(authorization: request.headers["authorization"]) else { return nil }
            let email = state.withLock { $0.accounts.first { $0.value.uid == uid }?.key }
            let me = #"{"uid":"\#(uid)","email":"\#(email ?? "")","admin":false,"kind":"user","limits":{"maxActiveJobs":3,"maxImagesPerDay":1000},"usage":{"activeJobs":1,"imagesToday":12}}"#
            return (200, me, ["Content-Type": "application/json"])
        default:
            return nil
        }
    }

    private static func issue(for uid: String, in state: inout State) -> (id: String, refresh: String) {
        state.issued += 1
        let id = "id-\(uid)-\(state.issued)"
        let refresh = "refresh-\(uid)-\(state.issued)"
        state.idTokens[id] = uid
        state.refreshTokens[refresh] = uid
        return (id, refresh)
    }

    private func refusal(_ message: String) -> (status: Int, body: String, headers: [String: String]) {
        let body = GoogleErrorBody(code: .invalidArgument, httpStatus: 400, message: message)
        return (400, String(decoding: try! JSONEncoder().encode(body), as: UTF8.self), ["Content-Type": "application/json"])
    }

    private func json(_ status: Int, _ object: [String: String]) -> (status: Int, body: String, headers: [String: String]) {
        (status, String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self), ["Content-Type": "application/json"])
    }
}
