import Foundation
import Testing

@testable import Emulator

/// Identity Toolkit calls against a `TestEmulator`, the way the Firebase SDKs address them.
struct IdentityTestClient: Sendable {
    let emulator: TestEmulator
    /// The emulator's default identity project (calls without a project in the path).
    static let project = "pixelpipe-local"
    static let adminHeader = [(name: "Authorization", value: "Bearer owner")]

    /// POSTs `json` to `/identitytoolkit.googleapis.com/v1/accounts:VERB` (or with `projectPath`, under `projects/P/`).
    func call(_ verb: String, _ json: [String: Any], admin: Bool = false, projectPath: Bool = false) async throws -> TestResponse {
        let prefix = projectPath ? "/identitytoolkit.googleapis.com/v1/projects/\(Self.project)/accounts" : "/identitytoolkit.googleapis.com/v1/accounts"
        let path = verb.isEmpty ? prefix : prefix + ":" + verb + (projectPath ? "" : "?key=fake-api-key")
        let body = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
        return try await emulator.send("POST", path, json: body, headers: admin ? Self.adminHeader : [])
    }

    /// Signs a new account up and returns the response body, requiring success.
    func signUp(_ email: String, _ password: String = "correct horse") async throws -> [String: Any] {
        let response = try await call("signUp", ["email": email, "password": password, "returnSecureToken": true])
        try #require(response.status == 200, "\(response.text)")
        return response.json
    }

    /// Exchanges a refresh token at Secure Token, form-encoded as the SDKs send it.
    func refresh(_ refreshToken: String) async throws -> TestResponse {
        let form = "grant_type=refresh_token&refresh_token=" + (refreshToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        return try await emulator.send("POST", "/securetoken.googleapis.com/v1/token?key=fake-api-key", body: Data(form.utf8),
                                       headers: [("Content-Type", "application/x-www-form-urlencoded")])
    }
}

/// The parts of a compact JWS, decoded for inspection (not verified).
struct DecodedJWT {
    let header: [String: Any]
    let payload: [String: Any]

    init(_ token: String) throws {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        try #require(parts.count == 3, "not a compact JWS: \(token.prefix(20))…")
        func json(_ part: Substring) throws -> [String: Any] {
            var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while text.count % 4 != 0 { text += "=" }
            let data = try #require(Data(base64Encoded: text))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        header = try json(parts[0])
        payload = try json(parts[1])
    }
}

extension TestResponse {
    /// `error.message` and the HTTP status, for comparing with Identity Toolkit's errors.
    var identityError: String { "\(status) \(errorMessage)" }
}
