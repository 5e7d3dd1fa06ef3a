import Foundation
import Testing
import TestSupport

extension PythonClients {
    /// Whether `.build-venv` holds firebase-admin (which brings google-auth).
    static let firebaseAdminInstalled: Bool = {
        let fileManager = FileManager.default
        let lib = repository.appendingPathComponent(".build-venv/lib")
        guard fileManager.isExecutableFile(atPath: python.path) else { return false }
        return ((try? fileManager.contentsOfDirectory(atPath: lib.path)) ?? []).contains { version in
            fileManager.fileExists(atPath: lib.appendingPathComponent("\(version)/site-packages/firebase_admin/_auth_client.py").path)
        }
    }()
}

/// Firebase's Python admin SDK and Google's google-auth against the emulator's identity service
/// (`Tests/Fixtures/python/identity_firebase_admin_check.py`). Skipped loudly without them, unless
/// `PIXELPIPE_REQUIRE_PYTHON_CLIENTS=1` (set by scripts/test), when it runs and fails.
@Suite(
    "Identity against Firebase's and Google's Python packages",
    .enabled(if: PythonClients.firebaseAdminInstalled || PythonClients.required,
             "SKIPPED LOUDLY: firebase-admin is not installed in .build-venv; run scripts/test to install it")
)
struct IdentityPythonClientTests {
    @Test("firebase-admin creates a user, sets custom claims and verifies an emulator ID token; google-auth verifies the RS256 signature against the served certificates and rejects a tampered token")
    func firebaseAdminAndGoogleAuth() async throws {
        try #require(PythonClients.firebaseAdminInstalled, "PIXELPIPE_REQUIRE_PYTHON_CLIENTS=1 but firebase-admin is missing from .build-venv")
        let script = PythonClients.repository.appendingPathComponent("Tests/Fixtures/python/identity_firebase_admin_check.py")
        try await TestEmulator.run { emulator in
            let child = try ChildProcess(executable: PythonClients.python, arguments: [script.path, emulator.baseURL, IdentityTestClient.project])
            let status = try await child.exitStatus(within: .seconds(120))
            try await child.outputEnded()
            let output = child.lines.joined(separator: "\n")
            #expect(status == 0, "\(output)")
            for check in ["create_user", "set_custom_user_claims", "signInWithPassword", "verify_id_token", "google-auth verify_token",
                          "tampered token rejected", "delete_user"] {
                #expect(child.lines.contains { $0.hasPrefix("ok \(check): ") }, "no 'ok \(check)' in:\n\(output)")
            }
            #expect(child.lines.last == "ALL OK", "\(output)")
        }
    }
}
