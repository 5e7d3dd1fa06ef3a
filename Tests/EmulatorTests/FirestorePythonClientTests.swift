import Foundation
import Testing
import TestSupport

/// Google's Python Firestore client (`google-cloud-firestore`), which `scripts/test` installs
/// into `.build-venv`. Without it the suite is skipped, loudly, unless
/// `PIXELPIPE_REQUIRE_PYTHON_CLIENTS=1` (set by scripts/test), when it runs and fails.
enum PythonClients {
    static let repository: URL = {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        return root
    }()
    static let python = repository.appendingPathComponent(".build-venv/bin/python3")
    static let required = ProcessInfo.processInfo.environment["PIXELPIPE_REQUIRE_PYTHON_CLIENTS"] == "1"

    /// Whether `.build-venv` holds the Firestore client library (its REST transport).
    static let firestoreInstalled = installed("google/cloud/firestore_v1/services/firestore/transports/rest.py")
}

@Suite(
    "Firestore against Google's Python client",
    .enabled(if: PythonClients.firestoreInstalled || PythonClients.required,
             "SKIPPED LOUDLY: google-cloud-firestore is not installed in .build-venv; run scripts/test to install it")
)
struct FirestorePythonClientTests {
    @Test("the GAPIC client over REST: writes, run_query with filters/order/limit/cursor, a collection group, aggregations, list_collection_ids, batch_get_documents, a transaction and an ABORTED conflict")
    func googleClient() async throws {
        try #require(PythonClients.firestoreInstalled, "PIXELPIPE_REQUIRE_PYTHON_CLIENTS=1 but google-cloud-firestore is missing from .build-venv")
        let script = PythonClients.repository.appendingPathComponent("Tests/Fixtures/python/firestore_rest_client_check.py")
        try await TestEmulator.run { emulator in
            let child = try ChildProcess(executable: PythonClients.python, arguments: [script.path, emulator.baseURL])
            let status = try await child.exitStatus(within: .seconds(120))
            try await child.outputEnded()
            let output = child.lines.joined(separator: "\n")
            #expect(status == 0, "\(output)")
            for check in ["commit writeResults", "run_query", "run_query IN", "collection group", "collection group under jobs/j1", "aggregation",
                          "list_collection_ids root", "list_collection_ids jobs/j1", "batch_get_documents", "transaction commit",
                          "conflicting commit", "counter after conflict", "rollback of an ended transaction"] {
                #expect(child.lines.contains { $0.hasPrefix("ok \(check): ") }, "no 'ok \(check)' in:\n\(output)")
            }
            #expect(child.lines.last == "ALL OK", "\(output)")
        }
    }
}
