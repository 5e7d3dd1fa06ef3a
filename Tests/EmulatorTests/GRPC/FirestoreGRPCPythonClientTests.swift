import Foundation
import Testing
import TestSupport

/// Google's Python Firestore client with its default transport, gRPC, pointed at the emulator by
/// `FIRESTORE_EMULATOR_HOST` at `emulator up` — the setup the emulator's README promises works unmodified.
@Suite(
    "Firestore over gRPC against Google's Python client",
    .enabled(if: PythonClients.firestoreGRPCInstalled || PythonClients.required,
             "SKIPPED LOUDLY: google-cloud-firestore is not installed in .build-venv; run scripts/test to install it")
)
struct FirestoreGRPCPythonClientTests {
    @Test("the high-level client over gRPC: transforms, every value kind, a contended transaction, queries, aggregations, batch get and write, collections, on_snapshot, errors",
          .timeLimit(.minutes(3)))
    func googleClient() async throws {
        try #require(PythonClients.firestoreGRPCInstalled, "PIXELPIPE_REQUIRE_PYTHON_CLIENTS=1 but google-cloud-firestore is missing from .build-venv")
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("grpc-firestore-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let emulator = try await EmulatorProcess(dataDirectory: data)
        defer { emulator.stop() }
        try await PythonClients.runCheckScript("firestore_grpc_client_check.py", arguments: [String(emulator.baseURL.dropFirst("http://".count))], checks: [
            "transport", "set/update with transforms", "value kinds", "transaction errors", "transaction under contention",
            "ABORTED and retried", "read-only transaction", "where ==", "where <", "where in", "where array_contains",
            "order_by desc limit", "start_after/end_before", "compound filter", "collection group", "aggregations",
            "count with filter", "batch get", "list_documents", "collections", "subcollections", "on_snapshot", "batch_write",
            "create existing", "delete", "bad project", "unimplemented method",
        ], within: .seconds(90))
    }
}
