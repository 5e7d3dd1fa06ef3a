import Foundation
import JWTKit
import Testing

@testable import Emulator

/// The ID tokens: RS256 with Firebase's claims, verifiable with the keys the emulator serves where
/// Google serves them; Secure Token's refresh; the signing key kept across restarts, owner-only.
@Suite("Identity tokens and keys")
struct IdentityTokenTests {
    @Test("an ID token verifies with the served JWKS (jwt-kit's FirebaseAuthIdentityToken) and carries Firebase's claims and the key's kid")
    func claimsAndJWKS() async throws {
        try await TestEmulator.run { emulator in
            let client = IdentityTestClient(emulator: emulator)
            let ada = try await client.signUp("ada@example.com")
            let idToken = try #require(ada["idToken"] as? String)
            let jwks = try await emulator.send("GET", "/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com")
            #expect(jwks.status == 200)
            #expect(jwks.header("Cache-Control")?.hasPrefix("public, max-age=") == true)
            let keys = JWTKeyCollection()
            try await keys.add(jwksJSON: jwks.text)
            let verified = try await keys.verify(idToken, as: FirebaseAuthIdentityToken.self, expectedAudience: IdentityTestClient.project)
            #expect(verified.userID == ada["localId"] as? String)
            #expect(verified.email == "ada@example.com")
            #expect(verified.firebase?.signInProvider == "password")
            #expect(verified.firebase?.identities["email"] == ["ada@example.com"])

            let token = try DecodedJWT(idToken)
            #expect(token.header["alg"] as? String == "RS256")
            let kid = try #require(token.header["kid"] as? String)
            #expect(((jwks.json["keys"] as? [[String: Any]]) ?? []).compactMap { $0["kid"] as? String } == [kid])
            #expect(token.payload["iss"] as? String == "https://securetoken.google.com/\(IdentityTestClient.project)")
            #expect(token.payload["aud"] as? String == IdentityTestClient.project)
            #expect(token.payload["sub"] as? String == ada["localId"] as? String)
            #expect(token.payload["user_id"] as? String == ada["localId"] as? String)
            #expect(token.payload["email_verified"] as? Bool == false)
            let issuedAt = try #require(token.payload["iat"] as? Int)
            #expect(token.payload["exp"] as? Int == issuedAt + 3600)
            #expect(token.payload["auth_time"] as? Int == issuedAt)
        }
    }

    @Test("the x509 document maps the kid to a PEM certificate whose key verifies the token; a tampered token does not verify")
    func certificates() async throws {
        try await TestEmulator.run { emulator in
            let client = IdentityTestClient(emulator: emulator)
            let idToken = try #require(try await client.signUp("ada@example.com")["idToken"] as? String)
            let document = try await emulator.send("GET", "/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com")
            #expect(document.status == 200)
            #expect(document.header("Cache-Control")?.hasPrefix("public, max-age=") == true)
            let kid = try #require(try DecodedJWT(idToken).header["kid"] as? String)
            let pem = try #require(document.json[kid] as? String)
            #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
            let keys = JWTKeyCollection()
            await keys.add(rsa: try Insecure.RSA.PublicKey(certificatePEM: pem), digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
            _ = try await keys.verify(idToken, as: FirebaseAuthIdentityToken.self, expectedAudience: IdentityTestClient.project)

            var parts = idToken.split(separator: ".").map(String.init)
            var claims = try DecodedJWT(idToken).payload
            claims["admin"] = true
            parts[1] = try JSONSerialization.data(withJSONObject: claims).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let tampered = parts.joined(separator: ".")
            await #expect(throws: (any Error).self) {
                _ = try await keys.verify(tampered, as: FirebaseAuthIdentityToken.self, expectedAudience: IdentityTestClient.project)
            }
            #expect(try await client.call("lookup", ["idToken": tampered]).identityError == "400 INVALID_ID_TOKEN")
        }
    }

    @Test("an expired ID token is TOKEN_EXPIRED")
    func expired() async throws {
        try await TestEmulator.run { emulator in
            let client = IdentityTestClient(emulator: emulator)
            let ada = try await client.signUp("ada@example.com")
            let key = try IdentitySigningKey.loadOrCreate(dataDirectory: emulator.dataDirectory)
            let account = IdentityAccount(project: IdentityTestClient.project, localID: ada["localId"] as! String, email: "ada@example.com",
                                          passwordHash: nil, createdAtMilliseconds: 0)
            let twoHoursAgo = Int64(Date().timeIntervalSince1970) - 7200
            let stale = try await IdentityTokens(key: key).idToken(for: account, authTimeSeconds: twoHoursAgo, nowSeconds: twoHoursAgo)
            #expect(try await client.call("lookup", ["idToken": stale]).identityError == "400 TOKEN_EXPIRED")
        }
    }

    @Test("Secure Token: form or JSON body, answers id_token, refresh_token, expires_in, user_id, project_id; refuses bad grants and disabled users")
    func refresh() async throws {
        try await TestEmulator.run { emulator in
            let client = IdentityTestClient(emulator: emulator)
            let ada = try await client.signUp("ada@example.com")
            let refreshToken = ada["refreshToken"] as! String
            let form = try await client.refresh(refreshToken)
            #expect(form.status == 200, "\(form.text)")
            #expect(form.json["refresh_token"] as? String == refreshToken)
            #expect(form.json["expires_in"] as? String == "3600")
            #expect(form.json["token_type"] as? String == "Bearer")
            #expect(form.json["user_id"] as? String == ada["localId"] as? String)
            #expect(form.json["project_id"] as? String == IdentityTestClient.project)
            #expect(try DecodedJWT(try #require(form.json["id_token"] as? String)).payload["sub"] as? String == ada["localId"] as? String)

            let json = try await emulator.send("POST", "/securetoken.googleapis.com/v1/token",
                                               json: #"{"grant_type":"refresh_token","refresh_token":"\#(refreshToken)"}"#)
            #expect(json.status == 200 && json.json["id_token"] is String, "\(json.text)")

            #expect(try await client.refresh("made-up").identityError == "400 INVALID_REFRESH_TOKEN")
            let wrongGrant = try await emulator.send("POST", "/securetoken.googleapis.com/v1/token", body: Data("grant_type=password".utf8),
                                                     headers: [("Content-Type", "application/x-www-form-urlencoded")])
            #expect(wrongGrant.identityError == "400 INVALID_GRANT_TYPE")
            let missing = try await emulator.send("POST", "/securetoken.googleapis.com/v1/token", body: Data("grant_type=refresh_token".utf8),
                                                  headers: [("Content-Type", "application/x-www-form-urlencoded")])
            #expect(missing.identityError == "400 MISSING_REFRESH_TOKEN")

            let signedIn = try await client.call("signInWithPassword", ["email": "ada@example.com", "password": "correct horse"])
            let disabled = try await client.call("update", ["localId": ada["localId"]!, "disableUser": true], admin: true, projectPath: true)
            #expect(disabled.status == 200, "\(disabled.text)")
            #expect(try await client.refresh(signedIn.json["refreshToken"] as! String).identityError == "400 USER_DISABLED")
            #expect(try await client.call("signInWithPassword", ["email": "ada@example.com", "password": "correct horse"]).identityError == "400 USER_DISABLED")
            #expect(try await client.call("lookup", ["idToken": signedIn.json["idToken"]!]).identityError == "400 USER_DISABLED")
            let enabled = try await client.call("update", ["localId": ada["localId"]!, "disableUser": false], admin: true, projectPath: true)
            #expect(enabled.status == 200, "\(enabled.text)")
            #expect(try await client.refresh(signedIn.json["refreshToken"] as! String).status == 200)
        }
    }

    @Test("the signing key survives a restart (same kid; a token issued before verifies after); its file is 0600 in a 0700 folder")
    func keySurvivesRestart() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("identity-restart-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("data")
        let before = try await TestEmulator.run(dataDirectory: directory) { emulator in
            let ada = try await IdentityTestClient(emulator: emulator).signUp("ada@example.com")
            return ada["idToken"] as! String
        }
        let keyFile = directory.appendingPathComponent("secrets/identity-signing-key.pem")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: keyFile.path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let folderMode = try #require(try FileManager.default.attributesOfItem(atPath: keyFile.deletingLastPathComponent().path)[.posixPermissions] as? Int)
        #expect(folderMode == 0o700)
        try await TestEmulator.run(dataDirectory: directory) { emulator in
            let jwks = try await emulator.send("GET", "/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com")
            let kids = ((jwks.json["keys"] as? [[String: Any]]) ?? []).compactMap { $0["kid"] as? String }
            #expect(kids == [try DecodedJWT(before).header["kid"] as? String])
            let lookup = try await IdentityTestClient(emulator: emulator).call("lookup", ["idToken": before])
            #expect(lookup.status == 200, "\(lookup.text)")
            let keys = JWTKeyCollection()
            try await keys.add(jwksJSON: jwks.text)
            _ = try await keys.verify(before, as: FirebaseAuthIdentityToken.self, expectedAudience: IdentityTestClient.project)
        }
    }
}
