import Foundation
import Testing
import TestSupport

/// Google's Python Pub/Sub client (`google-cloud-pubsub`, installed by `scripts/test` into
/// `.build-venv`) with its default gRPC transport, pointed at the emulator by
/// `PUBSUB_EMULATOR_HOST` as its documentation says.
@Suite(
    "Pub/Sub over gRPC against Google's Python client",
    .enabled(if: PythonClients.pubSubInstalled || PythonClients.required,
             "SKIPPED LOUDLY: google-cloud-pubsub is not installed in .build-venv; run scripts/test to install it")
)
struct PubSubGRPCPythonClientTests {
    @Test("admin calls, 1,000 ordered messages through subscribe() in order per key, a nack redelivered, errors at once", .timeLimit(.minutes(3)))
    func googleClient() async throws {
        try #require(PythonClients.pubSubInstalled, "PIXELPIPE_REQUIRE_PYTHON_CLIENTS=1 but google-cloud-pubsub is missing from .build-venv")
        let script = PythonClients.repository.appendingPathComponent("Tests/Fixtures/python/pubsub_grpc_client_check.py")
        try await TestEmulator.run { emulator in
            let host = String(emulator.baseURL.dropFirst("http://".count))
            let child = try ChildProcess(executable: PythonClients.python, arguments: [script.path, host])
            let status = try await child.exitStatus(within: .seconds(120))
            try await child.outputEnded()
            let output = child.lines.joined(separator: "\n")
            #expect(status == 0, "\(output)")
            for check in ["create_topic", "create_subscription ordered", "update_topic labels", "get_topic", "update_subscription ack_deadline_seconds",
                          "get_subscription", "list_topics", "list_topic_subscriptions", "list_subscriptions", "publish to a missing topic",
                          "publish of 1,001 messages", "streaming pull of a missing subscription", "publish 1000 with ordering keys",
                          "streaming pull received all 1000", "per-key publish order", "keys", "nack leads to redelivery",
                          "get_topic after delete_topic", "get_subscription after delete"] {
                #expect(child.lines.contains { $0.hasPrefix("ok \(check): ") }, "no 'ok \(check)' in:\n\(output)")
            }
            #expect(child.lines.last == "ALL OK", "\(output)")
        }
    }
}
