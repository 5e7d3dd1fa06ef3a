import Foundation
import Testing

@testable import Emulator

/// Identity Toolkit and Secure Token take cross-origin calls from a page on another origin (the
/// api service's web console), as Firebase's emulator does; the other APIs do not.
@Suite("Identity CORS")
struct IdentityCORSTests {
    static let origin = [(name: "Origin", value: "http://127.0.0.1:8086")]

    @Test("a preflight of either API answers 204 with *, the methods and the headers the Firebase SDK sends", arguments: [
        "/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake-api-key",
        "/securetoken.googleapis.com/v1/token?key=fake-api-key",
    ])
    func preflight(path: String) async throws {
        try await TestEmulator.run { emulator in
            let response = try await emulator.send("OPTIONS", path, headers: Self.origin + [
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type,x-client-version,x-firebase-gmpid"),
            ])
            #expect(response.status == 204, "\(response.text)")
            #expect(response.header("Access-Control-Allow-Origin") == "*")
            let methods = Set((response.header("Access-Control-Allow-Methods") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(methods == ["POST", "GET", "OPTIONS"])
            let headers = Set((response.header("Access-Control-Allow-Headers") ?? "").lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(headers == ["content-type", "authorization", "x-client-version", "x-firebase-gmpid"])
        }
    }

    @Test("signUp, a refused signUp and a token refresh with an Origin carry Access-Control-Allow-Origin: *")
    func answersCarryTheHeader() async throws {
        try await TestEmulator.run { emulator in
            let body = #"{"email":"ada@example.com","password":"correct horse","returnSecureToken":true}"#
            let path = "/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake-api-key"
            let created = try await emulator.send("POST", path, json: body, headers: Self.origin)
            #expect(created.status == 200, "\(created.text)")
            #expect(created.header("Access-Control-Allow-Origin") == "*")

            // The browser may read Firebase's error code only with the header on the error too.
            let refused = try await emulator.send("POST", path, json: body, headers: Self.origin)
            #expect(refused.identityError == "400 EMAIL_EXISTS")
            #expect(refused.header("Access-Control-Allow-Origin") == "*")

            let refreshToken = try #require(created.json["refreshToken"] as? String)
            let form = "grant_type=refresh_token&refresh_token=" + refreshToken
            let refreshed = try await emulator.send("POST", "/securetoken.googleapis.com/v1/token?key=fake-api-key", body: Data(form.utf8),
                                                    headers: Self.origin + [("Content-Type", "application/x-www-form-urlencoded")])
            #expect(refreshed.status == 200, "\(refreshed.text)")
            #expect(refreshed.header("Access-Control-Allow-Origin") == "*")
        }
    }

    @Test("the other APIs answer no CORS headers, to a preflight or a call")
    func otherAPIsStayClosed() async throws {
        try await TestEmulator.run { emulator in
            let preflight = try await emulator.send("OPTIONS", "/storage/v1/b?project=pixelpipe-local", headers: Self.origin + [("Access-Control-Request-Method", "GET")])
            #expect(preflight.header("Access-Control-Allow-Origin") == nil)
            #expect(preflight.status != 204)
            let list = try await emulator.send("GET", "/storage/v1/b?project=pixelpipe-local", headers: Self.origin)
            #expect(list.status == 200, "\(list.text)")
            #expect(list.header("Access-Control-Allow-Origin") == nil)
        }
    }
}
