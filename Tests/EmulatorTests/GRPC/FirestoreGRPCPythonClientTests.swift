import Foundation
import Testing
import TestSupport

/// Google's Python Firestore client with its default transport, gRPC, pointed at the emulator by
/// `FIRESTORE_EMULATOR_HOST` — the setup the emulator's README promises works unmodified.
@Suite(
    "Firestore over gRPC against Google's Python client",
    .enabled(if: PythonClients.firestoreInstalled || PythonClients.required,
             "SKIPPED LOUDLY: google-cloud-firestore is not installed in .build-venv; run scripts/test to install it")
)
struct FirestoreGRPCPythonClientTests {
    @Test("the high-level client over gRPC: transforms, every value kind, a contended transaction, queries, aggregations, batch get and write, collections, on_snapshot, errors")
    func googleClient() async throws {
        try #require(PythonClients.firestoreInstalled, "PIXELPIPE_REQUIRE_PYTHON_CLIENTS=1 but google-cloud-firestore is missing from .build-venv")
        let script = PythonClients.repository.appendingPathComponent("Tests/Fixtures/python/firestore_grpc_client_check.py")
        try await TestEmulator.run { emulator in
            let host = String(emulator.baseURL.dropFirst("http://".count))
            let child = try ChildProcess(executable: PythonClients.python, arguments: [script.path, host])
            let status = try await child.exitStatus(within: .seconds(90))
            try await child.outputEnded()
            let output = child.lines.joined(separator: "\n")
            #expect(status == 0, "\(output)")
            for check in ["transport", "set/update with transforms", "value kinds", "transaction errors", "transaction under contention",
                          "ABORTED and retried", "read-only transaction", "where ==", "where <", "where in", "where array_contains",
                          "order_by desc limit", "start_after/end_before", "compound filter", "collection group", "aggregations",
                          "count with filter", "batch get", "list_documents", "collections", "subcollections", "on_snapshot", "batch_write",
                          "create existing", "delete", "bad project", "unimplemented method"] {
                #expect(child.lines.contains { $0.hasPrefix("ok \(check): ") }, "no 'ok \(check)' in:\n\(output)")
            }
            #expect(child.lines.last == "ALL OK", "\(output)")
        }
    }
}
