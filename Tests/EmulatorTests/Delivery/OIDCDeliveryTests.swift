import Foundation
import GoogleCloud
import Testing
import TestSupport

@testable import Emulator

extension PythonClients {
    /// Whether `.build-venv` holds google-auth (with requests, for its transport).
    static let googleAuthInstalled: Bool = {
        let fileManager = FileManager.default
        let lib = repository.appendingPathComponent(".build-venv/lib")
        guard fileManager.isExecutableFile(atPath: python.path) else { return false }
        return ((try? fileManager.contentsOfDirectory(atPath: lib.path)) ?? []).contains { version in
            fileManager.fileExists(atPath: lib.appendingPathComponent("\(version)/site-packages/google/oauth2/id_token.py").path)
                && fileManager.fileExists(atPath: lib.appendingPathComponent("\(version)/site-packages/requests/__init__.py").path)
        }
    }()
}

/// A push subscription and a task with `oidcToken`: the receiver gets `Authorization: Bearer`
/// an RS256 ID token that Google's google-auth verifies against the emulator's published keys
/// (`Tests/Fixtures/python/oidc_verify_check.py`), as a function behind Cloud Run would.
@Suite(
    "Delivery: OIDC tokens on pushes and task dispatches",
    .enabled(if: PythonClients.googleAuthInstalled || PythonClients.required,
             "SKIPPED LOUDLY: google-auth is not installed in .build-venv; run scripts/test to install it")
)
struct OIDCDeliveryTests {
    static let pusher = "pusher@demo.iam.gserviceaccount.com"
    static let tasker = "tasker@demo.iam.gserviceaccount.com"

    @Test("google-auth's id_token.verify_token accepts the push's and the task's tokens (email, audience) and rejects a wrong audience or signature", .timeLimit(.minutes(2)))
    func verifiedByGoogleAuth() async throws {
        try #require(PythonClients.googleAuthInstalled, "PIXELPIPE_REQUIRE_PYTHON_CLIENTS=1 but google-auth is missing from .build-venv")
        try await TestEmulator.run { emulator in
            let handler = TestHandler()
            let taskURL = try await handler.run(respond: { _, _ in (204, [:]) }) { url in
                let pushURL = url + "/push"
                let taskURL = url + "/task?x=1"
                #expect(try await emulator.send("PUT", "/v1/projects/demo/topics/tpc", json: "{}").status == 200)
                let subscription = try await emulator.send("PUT", "/v1/projects/demo/subscriptions/sub", json: """
                    {"topic":"projects/demo/topics/tpc","pushConfig":{"pushEndpoint":"\(pushURL)","oidcToken":{"serviceAccountEmail":"\(Self.pusher)","audience":"https://receiver.example/push"}}}
                    """)
                #expect(subscription.status == 200, "\(subscription.text)")
                #expect(try await emulator.send("POST", "/v2/projects/demo/locations/europe-west1/queues", json: #"{"name":"projects/demo/locations/europe-west1/queues/q"}"#).status == 200)
                let task = try await emulator.send("POST", "/v2/projects/demo/locations/europe-west1/queues/q/tasks", json: """
                    {"task":{"httpRequest":{"url":"\(taskURL)","headers":{"Authorization":"Bearer caller-set"},"oidcToken":{"serviceAccountEmail":"\(Self.tasker)"}}}}
                    """)
                #expect(task.status == 200, "\(task.text)")
                #expect(try await emulator.send("POST", "/v1/projects/demo/topics/tpc:publish", json: #"{"messages":[{"data":"aGk="}]}"#).status == 200)
                let pusher = PushDeliverer(store: emulator.store, client: emulator.client, logger: DeliveryHarness.logger)
                let dispatcher = TaskDispatcher(store: emulator.store, client: emulator.client, logger: DeliveryHarness.logger)
                try await DeliveryHarness.running(pusher) {
                    try await DeliveryHarness.running(dispatcher) {
                        try await DeliveryHarness.eventually("a push and a dispatch") { handler.arrivals.count >= 2 }
                    }
                }
                return taskURL
            }
            let push = try #require(handler.arrivals.first { $0.header("X-CloudTasks-QueueName") == nil })
            let dispatch = try #require(handler.arrivals.first { $0.header("X-CloudTasks-QueueName") != nil })
            let pushToken = try #require(push.header("Authorization")?.split(separator: " ").last.map(String.init))
            let taskToken = try #require(dispatch.header("Authorization")?.split(separator: " ").last.map(String.init))
            #expect(taskToken != "caller-set", "Cloud Tasks replaces the caller's Authorization with the OIDC token")

            let script = PythonClients.repository.appendingPathComponent("Tests/Fixtures/python/oidc_verify_check.py")
            let child = try ChildProcess(executable: PythonClients.python, arguments: [
                script.path, emulator.baseURL + "/oauth2/v1/certs",
                "push|\(pushToken)|https://receiver.example/push|\(Self.pusher)",
                "task|\(taskToken)|\(taskURL)|\(Self.tasker)",
            ])
            let status = try await child.exitStatus(within: .seconds(60))
            try await child.outputEnded()
            let output = child.lines.joined(separator: "\n")
            #expect(status == 0, "\(output)")
            for check in ["push", "push wrong audience rejected", "push tampered token rejected", "task", "task wrong audience rejected", "task tampered token rejected"] {
                #expect(child.lines.contains { $0.hasPrefix("ok \(check): ") }, "no 'ok \(check)' in:\n\(output)")
            }
            #expect(child.lines.last == "ALL OK", "\(output)")

            let jwks = try await emulator.send("GET", "/oauth2/v3/certs").json
            #expect((jwks["keys"] as? [[String: Any]])?.first?["alg"] as? String == "RS256")
        }
    }
}
