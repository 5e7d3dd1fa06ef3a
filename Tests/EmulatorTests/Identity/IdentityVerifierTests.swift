import Foundation
import GoogleCloud
import Testing

@testable import Emulator

/// GoogleCloud's `IDTokenVerifier` against the emulator's identity service: the tokens it mints
/// and the certificates it serves where Google serves them.
@Suite("Identity tokens through IDTokenVerifier")
struct IdentityVerifierTests {
    @Test("a signed-up user's idToken verifies against the emulator's x509 URL; an admin's custom claims arrive as admin after a refresh")
    func verifiesEmulatorTokens() async throws {
        try await TestEmulator.run { emulator in
            let client = IdentityTestClient(emulator: emulator)
            let ada = try await client.signUp("ada@example.com")
            let localID = try #require(ada["localId"] as? String)
            let keys = TokenSigningKeys(url: emulator.baseURL + "/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com", client: emulator.client)
            let verifier = IDTokenVerifier(audience: .firebase(projectID: IdentityTestClient.project), keys: keys)

            let idToken = try #require(ada["idToken"] as? String)
            let identity = try await verifier.verify(idToken)
            #expect(identity.uid == localID)
            #expect(identity.email == "ada@example.com")
            #expect(identity.signInProvider == "password")
            #expect(!identity.isAdmin)

            let claims = try await client.call("update", ["localId": localID, "customAttributes": #"{"admin":true}"#], admin: true, projectPath: true)
            #expect(claims.status == 200, "\(claims.text)")
            let refreshed = try await client.refresh(try #require(ada["refreshToken"] as? String))
            let admin = try await verifier.verify(try #require(refreshed.json["id_token"] as? String))
            #expect(admin.uid == localID)
            #expect(admin.isAdmin)

            let otherProject = IDTokenVerifier(audience: .firebase(projectID: "another-project"), keys: keys)
            await #expect(throws: IDTokenError.wrongAudience("")) {
                _ = try await otherProject.verify(idToken)
            }
            #expect(await keys.fetchCount == 1)
        }
    }
}
