import Foundation
import Testing
import TestSupport

/// Google's Python Pub/Sub client (`google-cloud-pubsub`, installed by `scripts/test` into
/// `.build-venv`) with its default gRPC transport, pointed at the emulator by
/// `PUBSUB_EMULATOR_HOST` at `emulator up`, as its documentation says.
@Suite(
    "Pub/Sub over gRPC against Google's Python client",
    .enabled(if: PythonClients.pubSubInstalled || PythonClients.required,
             "SKIPPED LOUDLY: google-cloud-pubsub is not installed in .build-venv; run scripts/test to install it")
)
struct PubSubGRPCPythonClientTests {
    @Test("admin calls, 1,000 ordered messages through subscribe() in order per key, a nack redelivered, errors at once", .timeLimit(.minutes(3)))
    func googleClient() async throws {
        try #require(PythonClients.pubSubInstalled, "PIXELPIPE_REQUIRE_PYTHON_CLIENTS=1 but google-cloud-pubsub is missing from .build-venv")
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("grpc-pubsub-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let emulator = try await EmulatorProcess(dataDirectory: data)
        defer { emulator.stop() }
        try await PythonClients.runCheckScript("pubsub_grpc_client_check.py", arguments: [String(emulator.baseURL.dropFirst("http://".count))], checks: [
            "create_topic", "create_subscription ordered", "update_topic labels", "get_topic", "update_subscription ack_deadline_seconds",
            "get_subscription", "list_topics", "list_topic_subscriptions", "list_subscriptions", "publish to a missing topic",
            "publish of 1,001 messages", "streaming pull of a missing subscription", "publish 1000 with ordering keys",
            "streaming pull received all 1000", "per-key publish order", "keys", "nack leads to redelivery",
            "get_topic after delete_topic", "get_subscription after delete",
        ])
    }
}
