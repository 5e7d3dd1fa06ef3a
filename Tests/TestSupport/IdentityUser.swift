import Foundation
import GoogleCloud

/// A user of the emulator's identity service, signed up or in through Firebase Auth's REST
/// calls as a client SDK makes them, with the tokens the jobs API takes.
public struct IdentityUser: Sendable {
    public let uid: String
    public let email: String
    public let idToken: String
    public let refreshToken: String

    /// `Authorization: Bearer ID_TOKEN`.
    public var bearer: (name: String, value: String) { ("Authorization", "Bearer \(idToken)") }

    /// Signs up `email` on the emulator at `emulator` (`http://127.0.0.1:PORT`).
    public static func signUp(emulator: String, email: String, password: String = "correct horse battery") async throws -> IdentityUser {
        try await call(emulator, "accounts:signUp", email: email, password: password)
    }

    /// Signs up `email` in another Firebase project of the same emulator (its tokens are
    /// genuine, signed by the emulator's key, but for that project).
    public static func signUpInProject(emulator: String, project: String, email: String, password: String = "correct horse battery") async throws -> IdentityUser {
        try await call(emulator, "projects/\(project)/accounts:signUp", email: email, password: password)
    }

    /// Signs `email` in again: a fresh ID token (custom claims set since sign-up included).
    public static func signIn(emulator: String, email: String, password: String = "correct horse battery") async throws -> IdentityUser {
        try await call(emulator, "accounts:signInWithPassword", email: email, password: password)
    }

    /// Sets custom claims on `uid` as an admin (`Bearer owner`, the emulator's admin credential).
    public static func setClaims(emulator: String, project: String, uid: String, claims: String) async throws {
        try await admin(emulator, project: project, "accounts:update", ["localId": uid, "customAttributes": claims])
    }

    /// Disables `uid` as an admin.
    public static func disable(emulator: String, project: String, uid: String) async throws {
        let response = try await HTTPClient.shared.execute(.init(
            method: "POST", url: "\(emulator)/identitytoolkit.googleapis.com/v1/projects/\(project)/accounts:update",
            headers: [("Content-Type", "application/json"), ("Authorization", "Bearer owner")],
            body: try JSONSerialization.data(withJSONObject: ["localId": uid, "disableUser": true]), timeout: .seconds(30)))
        guard response.status == 200 else { throw TestFailure("disable \(uid): \(response.status)") }
    }

    /// Deletes `uid` as an admin.
    public static func delete(emulator: String, project: String, uid: String) async throws {
        try await admin(emulator, project: project, "accounts:delete", ["localId": uid])
    }

    /// Revokes `uid`'s tokens as the Admin SDKs' `revokeRefreshTokens` does (`validSince` now).
    public static func revoke(emulator: String, project: String, uid: String, at seconds: Int64) async throws {
        try await admin(emulator, project: project, "accounts:update", ["localId": uid, "validSince": String(seconds)])
    }

    private static func call(_ emulator: String, _ verb: String, email: String, password: String) async throws -> IdentityUser {
        let body = try JSONSerialization.data(withJSONObject: ["email": email, "password": password, "returnSecureToken": true])
        let response = try await HTTPClient.shared.execute(.init(
            method: "POST", url: "\(emulator)/identitytoolkit.googleapis.com/v1/\(verb)?key=test-key",
            headers: [("Content-Type", "application/json")], body: body, timeout: .seconds(30)))
        guard response.status == 200, let answer = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let uid = answer["localId"] as? String, let idToken = answer["idToken"] as? String,
              let refreshToken = answer["refreshToken"] as? String else {
            throw TestFailure("\(verb) of \(email): \(response.status) \(String(decoding: response.body.prefix(500), as: UTF8.self))")
        }
        return IdentityUser(uid: uid, email: email, idToken: idToken, refreshToken: refreshToken)
    }

    private static func admin(_ emulator: String, project: String, _ verb: String, _ fields: [String: String]) async throws {
        let response = try await HTTPClient.shared.execute(.init(
            method: "POST", url: "\(emulator)/identitytoolkit.googleapis.com/v1/projects/\(project)/\(verb)",
            headers: [("Content-Type", "application/json"), ("Authorization", "Bearer owner")],
            body: try JSONSerialization.data(withJSONObject: fields), timeout: .seconds(30)))
        guard response.status == 200 else {
            throw TestFailure("\(verb) \(fields): \(response.status) \(String(decoding: response.body.prefix(500), as: UTF8.self))")
        }
    }
}
