import Foundation
import FunctionsFramework
import GoogleCloud
import PipelineModel
import Testing
import TestSupport

/// What a stage needs to start: a project, and Google APIs that are not there (port 9, discard,
/// refuses connections) so nothing reaches the internet.
let unreachableGoogle = [
    "GOOGLE_CLOUD_PROJECT": "pixelpipe-test",
    "STORAGE_EMULATOR_HOST": "http://127.0.0.1:9",
    "PUBSUB_EMULATOR_HOST": "127.0.0.1:9",
    "CLOUD_TASKS_EMULATOR_HOST": "127.0.0.1:9",
    "FIRESTORE_EMULATOR_HOST": "127.0.0.1:9",
    // Where tasks go: ingest, populate and process require them at start-up.
    "PIXELPIPE_TEARDOWN_URL": "http://127.0.0.1:9/teardown",
    "PIXELPIPE_PROCESS_URL": "http://127.0.0.1:9/process",
    // Teardown signs every webhook and does not start without a key.
    "WEBHOOK_SECRET": "stage-binary-test-secret",
]

/// Starts a function binary on a free port and returns it with the port it reported.
func startFunction(_ name: String, environment: [String: String] = [:]) async throws -> (ChildProcess, Int) {
    var variables = ["PORT": "0", "HOST": "127.0.0.1", "LOG_FORMAT": "json"].merging(unreachableGoogle) { _, new in new }
    variables.merge(environment) { _, new in new }
    let child = try ChildProcess(name, environment: variables)
    let port = try #require(Int(try await child.logField("pixelpipe.port", ofMessage: "serving")))
    return (child, port)
}

@Suite("Stage binaries as processes")
struct StageBinaryTests {
    /// For each stage: a request its signature must reject as malformed.
    static let stages: [(binary: String, malformedHeaders: [(name: String, value: String)])] = [
        ("ingest", [("Content-Type", "text/plain")]),
        ("populate", [("Content-Type", "application/json")]),
        ("process", [("Content-Type", "application/json")]),
        ("teardown", [("X-CloudTasks-QueueName", "control")]),
    ]

    @Test("each stage starts, answers /healthz, rejects a malformed invocation with 400 and exits 0 on SIGTERM", arguments: stages)
    func stageLifecycle(_ stage: (binary: String, malformedHeaders: [(name: String, value: String)])) async throws {
        let (child, port) = try await startFunction(stage.binary)
        let client = HTTPClient()

        let health = try await client.get("http://127.0.0.1:\(port)/healthz")
        #expect(health.status == 200)

        let malformed = try await client.execute(.init(method: "POST", url: "http://127.0.0.1:\(port)/", headers: stage.malformedHeaders, body: Data("{}".utf8)))
        #expect(malformed.status == 400)

        child.send(SIGTERM)
        #expect(try await child.exitStatus() == 0)
        #expect(child.lines.contains { $0.contains("\"message\":\"stopped\"") })
    }

    @Test("ingest answers 503 when the Google APIs cannot be reached, so the trigger retries the event")
    func ingestUnreachableStorage() async throws {
        let (child, port) = try await startFunction("ingest")
        let response = try await HTTPClient().execute(.init(
            method: "POST",
            url: "http://127.0.0.1:\(port)/",
            headers: [
                ("ce-id", "1"), ("ce-specversion", "1.0"),
                ("ce-source", "//storage.googleapis.com/projects/_/buckets/pixelpipe-uploads"),
                ("ce-type", "google.cloud.storage.object.v1.finalized"), ("ce-subject", "objects/products.csv"),
                ("Content-Type", "application/json"),
            ],
            body: Data(#"{"bucket":"pixelpipe-uploads","name":"products.csv","generation":"7","size":"100"}"#.utf8)
        ))
        #expect(response.status == 503)
        // The warning names the event by its ce-id, not a generated id.
        let warning = try await child.line(where: { $0.contains("port 9") && $0.contains("\"pixelpipe.invocation\":\"1\"") }, "the warning naming the unreachable API")
        #expect(!warning.isEmpty)
        child.send(SIGTERM)
        #expect(try await child.exitStatus() == 0)
    }

    @Test("a stage without GOOGLE_CLOUD_PROJECT stops at once, naming the variable", arguments: ["ingest", "populate", "process", "teardown"])
    func missingProject(_ binary: String) async throws {
        let child = try ChildProcess(binary, environment: ["PORT": "0", "HOST": "127.0.0.1"])
        #expect(try await child.exitStatus() == 78)
        try await child.outputEnded()
        #expect(child.lines.joined().contains("GOOGLE_CLOUD_PROJECT"))
    }

    @Test("teardown without WEBHOOK_SECRET stops at once, naming the variable: no webhook is ever sent unsigned")
    func teardownNeedsWebhookSecret() async throws {
        var environment = ["PORT": "0", "HOST": "127.0.0.1"].merging(unreachableGoogle) { _, new in new }
        environment["WEBHOOK_SECRET"] = nil
        let child = try ChildProcess("teardown", environment: environment)
        #expect(try await child.exitStatus() == 78)
        try await child.outputEnded()
        #expect(child.lines.joined().contains("WEBHOOK_SECRET"))
    }

    @Test("SIGTERM while a stage binary is still receiving a request: the request completes, then the process exits")
    func stageDrainsOnSIGTERM() async throws {
        let (child, port) = try await startFunction("ingest", environment: ["LOG_LEVEL": "debug"])
        let body = #"{"bucket":"pixelpipe-uploads","name":"products.csv","generation":"7","size":"100"}"#
        let connection = try RawHTTPConnection(port: port)
        connection.send(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n"
            + "ce-id: drain-1\r\nce-specversion: 1.0\r\nce-source: //storage.googleapis.com/projects/_/buckets/pixelpipe-uploads\r\n"
            + "ce-type: google.cloud.storage.object.v1.finalized\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
            + String(body.prefix(20))
        )
        _ = try await child.line(where: { $0.contains("request received") }, "the request head to arrive")

        child.send(SIGTERM)
        connection.send(String(body.dropFirst(20)))

        let answer = await Task.detached { connection.receiveAll() }.value
        // Storage is unreachable: the event is answered 503 (retry later) after the client's retries.
        #expect(answer.hasPrefix("HTTP/1.1 503"), "\(answer)")
        #expect(try await child.exitStatus() == 0)
    }

    @Test("SIGTERM during a slow handler lets it complete before the process exits")
    func drainsOnSIGTERM() async throws {
        let (child, port) = try await startFunction("FunctionFixture")
        let client = HTTPClient()
        let slow = Task { try await client.get("http://127.0.0.1:\(port)/work?sleep_ms=1500") }
        _ = try await child.line(where: { $0.contains("fixture request started") }, "the slow request to start")

        child.send(SIGTERM)

        let response = try await slow.value
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self).hasPrefix("handled GET /work"))
        #expect(try await child.exitStatus() == 0)
    }

    @Test("a request still running when the grace period ends is cut off and the process still exits")
    func gracePeriodBoundsDrain() async throws {
        let (child, port) = try await startFunction("FunctionFixture", environment: ["SHUTDOWN_GRACE_PERIOD": "0.5"])
        let client = HTTPClient()
        let endless = Task { try await client.get("http://127.0.0.1:\(port)/work?sleep_ms=60000") }
        _ = try await child.line(where: { $0.contains("fixture request started") }, "the long request to start")

        child.send(SIGTERM)

        _ = try await child.exitStatus(within: .seconds(10))
        let error = await #expect(throws: HTTPClientError.self) { _ = try await endless.value }
        #expect(error == .connectionReset)
    }

    @Test("bad configuration stops the binary with a message naming the variable")
    func badConfiguration() async throws {
        let child = try ChildProcess("ingest", environment: ["PORT": "http"])
        #expect(try await child.exitStatus() == 78)
        try await child.outputEnded()
        #expect(child.lines.joined().contains(#"PORT="http" is not valid"#))
    }

    @Test("a stage whose PORT is taken stops naming the port and the process holding it", arguments: ["ingest", "process"])
    func portInUse(_ binary: String) async throws {
        let held = try HeldPort()
        let environment = ["PORT": String(held.port), "HOST": "127.0.0.1", "LOG_FORMAT": "json"].merging(unreachableGoogle) { _, new in new }
        let child = try ChildProcess(binary, environment: environment)
        #expect(try await child.exitStatus() == 1)
        try await child.outputEnded()
        let expected = "\(binary): port \(held.port) on 127.0.0.1 is in use by \(HeldPort.holder); set PORT to a free port (0 picks one)"
        #expect(child.lines.contains(expected), "\(child.lines)")
    }

    @Test("every binary reports the libvips and libcurl it runs with", arguments: ["ingest", "populate", "process", "teardown", "emulator"])
    func versions(_ binary: String) async throws {
        let (status, output) = try await ChildProcess.run(binary, arguments: ["--version"])
        #expect(status == 0)
        #expect(output.contains("libvips \(RuntimeVersions.libvips)"))
        #expect(output.contains("libcurl \(RuntimeVersions.libcurl)"))
        #expect(output.range(of: #"libvips \d+\.\d+\.\d+"#, options: .regularExpression) != nil)
        #expect(output.range(of: #"libcurl \d+\.\d+\.\d+"#, options: .regularExpression) != nil)
    }
}
