import Foundation
import Testing

@testable import Emulator

/// Identity Toolkit's account calls (signUp, signInWithPassword, lookup, update, delete, the admin
/// create) and their errors, in Firebase's message codes.
@Suite("Identity accounts")
struct IdentityAccountTests {
    @Test("signUp answers idToken, refreshToken, expiresIn 3600, localId and the email; signInWithPassword signs the same account in")
    func signUpAndSignIn() async throws {
        try await TestEmulator.run { emulator in
            let client = IdentityTestClient(emulator: emulator)
            let created = try await client.signUp("Ada@Example.com")
            #expect(created["kind"] as? String == "identitytoolkit#SignupNewUserResponse")
            #expect(created["email"] as? String == "ada@example.com")
            #expect(created["expiresIn"] as? String == "3600")
            let localID = try #require(created["localId"] as? String)
            #expect(localID.count == 28)
            #expect((created["idToken"] as? String)?.split(separator: ".").count == 3)
            #expect(((created["refreshToken"] as? String) ?? "").count >= 40)

            let signedIn = try await client.call("signInWithPassword", ["email": "ada@example.com", "password": "correct horse", "returnSecureToken": true])
            #expect(signedIn.status == 200, "\(signedIn.text)")
            #expect(signedIn.json["localId"] as? String == localID)
            #expect(signedIn.json["registered"] as? Bool == true)
            #expect(signedIn.json["refreshToken"] as? String != created["refreshToken"] as? String)
            #expect(signedIn.json["passwordHash"] == nil)
        }
    }

    @Test("signUp refuses with Firebase's codes", arguments: [
        (["email": "taken@example.com", "password": "secret-1"], "400 EMAIL_EXISTS"),
        (["email": "not-an-email", "password": "secret-1"], "400 INVALID_EMAIL"),
        (["email": "new@example.com"], "400 MISSING_PASSWORD"),
        (["email": "new@example.com", "password": "12345"], "400 WEAK_PASSWORD : Password should be at least 6 characters"),
        (["password": "secret-1"], "400 MISSING_EMAIL"),
    ])
    func signUpErrors(body: [String: String], expected: String) async throws {
        try await TestEmulator.run { emulator in
            let client = IdentityTestClient(emulator: emulator)
            _ = try await client.signUp("taken@example.com")
            let response = try await client.call("signUp", body)
            #expect(response.identityError == expected)
            #expect(response.errorStatus == "INVALID_ARGUMENT")
            #expect((response.json["error"] as? [String: Any])?["code"] as? Int == 400)
        }
    }

    @Test("signInWithPassword refuses with Firebase's codes", arguments: [
        (["email": "nobody@example.com", "password": "secret-1"], "400 EMAIL_NOT_FOUND"),
        (["email": "ada@example.com", "password": "wrong password"], "400 INVALID_PASSWORD"),
        (["email": "ada@example.com"], "400 MISSING_PASSWORD"),
        (["password": "secret-1"], "400 INVALID_EMAIL"),
    ])
    func signInErrors(body: [String: String], expected: String) async throws {
        try await TestEmulator.run { emulator in
            let client = IdentityTestClient(emulator: emulator)
            _ = try await client.signUp("ada@example.com")
            #expect(try await client.call("signInWithPassword", body).identityError == expected)
        }
    }

    @Test("lookup: a user's own account by idToken; an admin's by localId and email (Bearer owner); without it 403; a bad token INVALID_ID_TOKEN")
    func lookup() async throws {
        try await TestEmulator.run { emulator in
            let client = IdentityTestClient(emulator: emulator)
            let ada = try await client.signUp("ada@example.com")
            let grace = try await client.signUp("grace@example.com")
            let own = try await client.call("lookup", ["idToken": ada["idToken"]!])
            #expect(own.status == 200, "\(own.text)")
            let users = try #require(own.json["users"] as? [[String: Any]])
            #expect(users.count == 1)
            #expect(users.first?["localId"] as? String == ada["localId"] as? String)
            #expect(users.first?["email"] as? String == "ada@example.com")
            #expect(users.first?["emailVerified"] as? Bool == false)
            #expect((users.first?["providerUserInfo"] as? [[String: Any]])?.first?["providerId"] as? String == "password")
            #expect(users.first?["passwordHash"] == nil)

            let byAdmin = try await client.call("lookup", ["localId": [ada["localId"]!], "email": ["grace@example.com"]], admin: true, projectPath: true)
            #expect(byAdmin.status == 200, "\(byAdmin.text)")
            let found = Set(((byAdmin.json["users"] as? [[String: Any]]) ?? []).compactMap { $0["localId"] as? String })
            #expect(found == [ada["localId"] as! String, grace["localId"] as! String])
            let none = try await client.call("lookup", ["localId": ["no-such-uid"]], admin: true, projectPath: true)
            #expect(none.status == 200 && none.json["users"] == nil, "\(none.text)")

            #expect(try await client.call("lookup", ["localId": [ada["localId"]!]], projectPath: true).identityError == "403 INSUFFICIENT_PERMISSION")
            #expect(try await client.call("lookup", ["idToken": "not.a.token"]).identityError == "400 INVALID_ID_TOKEN")
        }
    }

    @Test("update: a user changes display name, email and password (the old password and refresh token stop working); an admin's customAttributes reach tokens minted afterwards")
    func update() async throws {
        try await TestEmulator.run { emulator in
            let client = IdentityTestClient(emulator: emulator)
            let ada = try await client.signUp("ada@example.com", "first password")
            let localID = ada["localId"] as! String
            let renamed = try await client.call("update", ["idToken": ada["idToken"]!, "displayName": "Ada L.", "email": "ada@lovelace.org",
                                                           "password": "second password", "returnSecureToken": true])
            #expect(renamed.status == 200, "\(renamed.text)")
            #expect(renamed.json["displayName"] as? String == "Ada L.")
            #expect(renamed.json["email"] as? String == "ada@lovelace.org")
            #expect(renamed.json["idToken"] is String)
            #expect(try await client.call("signInWithPassword", ["email": "ada@lovelace.org", "password": "first password"]).identityError == "400 INVALID_PASSWORD")
            #expect(try await client.call("signInWithPassword", ["email": "ada@example.com", "password": "second password"]).identityError == "400 EMAIL_NOT_FOUND")
            #expect(try await client.refresh(ada["refreshToken"] as! String).identityError == "400 INVALID_REFRESH_TOKEN")
            let signedIn = try await client.call("signInWithPassword", ["email": "ada@lovelace.org", "password": "second password"])
            #expect(signedIn.status == 200, "\(signedIn.text)")

            let claims = try await client.call("update", ["localId": localID, "customAttributes": #"{"admin":true,"tier":"gold"}"#], admin: true, projectPath: true)
            #expect(claims.status == 200, "\(claims.text)")
            let refreshed = try await client.refresh(signedIn.json["refreshToken"] as! String)
            let token = try DecodedJWT(try #require(refreshed.json["id_token"] as? String))
            #expect(token.payload["admin"] as? Bool == true)
            #expect(token.payload["tier"] as? String == "gold")
            #expect(token.payload["name"] as? String == "Ada L.")
            let looked = try await client.call("lookup", ["localId": [localID]], admin: true, projectPath: true)
            #expect((looked.json["users"] as? [[String: Any]])?.first?["customAttributes"] as? String == #"{"admin":true,"tier":"gold"}"#)
        }
    }

    @Test("update refuses with Firebase's codes", arguments: [
        (false, ["customAttributes": #"{"admin":true}"#], "403 INSUFFICIENT_PERMISSION"),
        (true, ["customAttributes": #"{"sub":"someone"}"#], "400 FORBIDDEN_CLAIM : Developer claims sub are reserved and cannot be specified"),
        (true, ["customAttributes": "[1,2]"], "400 INVALID_CLAIMS : Custom claims must be a JSON object"),
        (true, ["password": "short"], "400 WEAK_PASSWORD : Password should be at least 6 characters"),
        (true, ["email": "taken@example.com"], "400 EMAIL_EXISTS"),
        (true, ["email": "no at sign"], "400 INVALID_EMAIL"),
    ] as [(Bool, [String: String], String)])
    func updateErrors(admin: Bool, fields: [String: String], expected: String) async throws {
        try await TestEmulator.run { emulator in
            let client = IdentityTestClient(emulator: emulator)
            let ada = try await client.signUp("ada@example.com")
            _ = try await client.signUp("taken@example.com")
            var body: [String: Any] = fields
            if admin { body["localId"] = ada["localId"]! } else { body["idToken"] = ada["idToken"]! }
            #expect(try await client.call("update", body, admin: admin, projectPath: admin).identityError == expected)
            #expect(try await client.call("update", ["localId": "no-such-uid", "displayName": "x"], admin: true, projectPath: true).identityError == "400 USER_NOT_FOUND")
        }
    }

    @Test("delete: by the user's idToken, or by an admin's localId; the token then finds USER_NOT_FOUND and the refresh token is refused")
    func delete() async throws {
        try await TestEmulator.run { emulator in
            let client = IdentityTestClient(emulator: emulator)
            let ada = try await client.signUp("ada@example.com")
            let deleted = try await client.call("delete", ["idToken": ada["idToken"]!])
            #expect(deleted.status == 200 && deleted.json["kind"] as? String == "identitytoolkit#DeleteAccountResponse", "\(deleted.text)")
            #expect(try await client.call("lookup", ["idToken": ada["idToken"]!]).identityError == "400 USER_NOT_FOUND")
            #expect(try await client.refresh(ada["refreshToken"] as! String).identityError == "400 INVALID_REFRESH_TOKEN")

            let grace = try await client.signUp("grace@example.com")
            #expect(try await client.call("delete", ["localId": grace["localId"]!]).identityError == "403 INSUFFICIENT_PERMISSION")
            #expect(try await client.call("delete", ["localId": grace["localId"]!], admin: true, projectPath: true).status == 200)
            #expect(try await client.refresh(grace["refreshToken"] as! String).identityError == "400 INVALID_REFRESH_TOKEN")
            #expect(try await client.call("delete", ["localId": grace["localId"]!], admin: true, projectPath: true).identityError == "400 USER_NOT_FOUND")
        }
    }

    @Test("the admin create (POST projects/P/accounts with Bearer owner) makes an account that signs in; without the credential 403")
    func adminCreate() async throws {
        try await TestEmulator.run { emulator in
            let client = IdentityTestClient(emulator: emulator)
            let created = try await client.call("", ["localId": "chosen-uid", "email": "ops@example.com", "password": "ops password", "emailVerified": true],
                                                admin: true, projectPath: true)
            #expect(created.status == 200, "\(created.text)")
            #expect(created.json["localId"] as? String == "chosen-uid")
            #expect(created.json["idToken"] == nil)
            let signedIn = try await client.call("signInWithPassword", ["email": "ops@example.com", "password": "ops password"])
            let token = try DecodedJWT(try #require(signedIn.json["idToken"] as? String))
            #expect(token.payload["sub"] as? String == "chosen-uid")
            #expect(token.payload["email_verified"] as? Bool == true)
            #expect(try await client.call("", ["email": "x@example.com", "password": "secret-1"], projectPath: true).identityError == "403 INSUFFICIENT_PERMISSION")
            #expect(try await client.call("", ["localId": "chosen-uid", "email": "y@example.com"], admin: true, projectPath: true).identityError == "400 DUPLICATE_LOCAL_ID")
        }
    }

    @Test("accounts belong to the project in the path: one signed up under projects/other is not found under the default project, and its token names that project")
    func projectsAreSeparate() async throws {
        try await TestEmulator.run { emulator in
            let client = IdentityTestClient(emulator: emulator)
            let other = try await emulator.send("POST", "/identitytoolkit.googleapis.com/v1/projects/other-project/accounts:signUp",
                                                json: #"{"email":"ada@example.com","password":"correct horse"}"#)
            #expect(other.status == 200, "\(other.text)")
            let token = try DecodedJWT(try #require(other.json["idToken"] as? String))
            #expect(token.payload["aud"] as? String == "other-project")
            #expect(token.payload["iss"] as? String == "https://securetoken.google.com/other-project")
            #expect(try await client.call("signInWithPassword", ["email": "ada@example.com", "password": "correct horse"]).identityError == "400 EMAIL_NOT_FOUND")
            #expect(try await client.call("lookup", ["idToken": other.json["idToken"]!]).identityError == "400 INVALID_ID_TOKEN")
            _ = try await client.signUp("ada@example.com")
        }
    }
}
