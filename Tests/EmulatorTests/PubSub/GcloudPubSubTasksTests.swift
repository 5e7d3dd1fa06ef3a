import Foundation
import Testing
import TestSupport

/// `GcloudCLI` for the Pub/Sub and Cloud Tasks commands: a configuration of its own, each
/// command `--quiet`, what it printed as one text, and how long it took.
struct Gcloud: Sendable {
    static var installed: Bool { GcloudCLI.installed }

    let cli: GcloudCLI

    init(emulator baseURL: String, project: String = "demo") throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gcloud-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        cli = GcloudCLI(baseURL: baseURL, project: project, directory: directory)
    }

    /// Runs `gcloud ARGUMENTS`; returns its exit status, output (stdout and stderr) and how long it took.
    func run(_ arguments: [String], within limit: Duration = .seconds(90)) async throws -> (status: Int32, output: String, took: Duration) {
        let start = ContinuousClock.now
        let result = try await cli.run(arguments + ["--quiet"], timeout: limit)
        return (result.status, result.text + result.stderr, ContinuousClock.now - start)
    }

    /// Runs `gcloud ARGUMENTS` and expects it to succeed.
    @discardableResult
    func succeed(_ arguments: [String]) async throws -> String {
        let result = try await run(arguments)
        #expect(result.status == 0, "gcloud \(arguments.joined(separator: " ")):\n\(result.output)")
        return result.output
    }

    func remove() { try? FileManager.default.removeItem(at: cli.directory) }
}

@Suite("gcloud pubsub and gcloud tasks against the emulator", .enabled(if: Gcloud.installed, "gcloud is not installed at /usr/bin/gcloud"))
struct GcloudPubSubTasksTests {
    @Test("gcloud pubsub: topics update, subscriptions update, snapshots create, seek to a snapshot and a time; an unimplemented method fails at once", .timeLimit(.minutes(5)))
    func pubsub() async throws {
        try await TestEmulator.run { emulator in
            let gcloud = try Gcloud(emulator: emulator.baseURL)
            defer { gcloud.remove() }
            try await gcloud.succeed(["pubsub", "topics", "create", "tpc"])
            try await gcloud.succeed(["pubsub", "topics", "update", "tpc", "--update-labels=team=imaging"])
            #expect(try await emulator.send("GET", "/v1/projects/demo/topics/tpc").json.value(at: "labels.team") as? String == "imaging")
            try await gcloud.succeed(["pubsub", "subscriptions", "create", "sub", "--topic=tpc"])
            try await gcloud.succeed(["pubsub", "subscriptions", "update", "sub", "--ack-deadline=45", "--update-labels=tier=gold"])
            let subscription = try await emulator.send("GET", "/v1/projects/demo/subscriptions/sub").json
            #expect(subscription["ackDeadlineSeconds"] as? Int == 45)
            #expect(subscription.value(at: "labels.tier") as? String == "gold")
            try await gcloud.succeed(["pubsub", "topics", "publish", "tpc", "--message=hello"])
            try await gcloud.succeed(["pubsub", "snapshots", "create", "snap", "--subscription=sub"])
            #expect(try await emulator.send("GET", "/v1/projects/demo/snapshots/snap").status == 200)
            // Acknowledge everything, then seek back to the snapshot: the message is there again.
            let pulled = try await emulator.send("POST", "/v1/projects/demo/subscriptions/sub:pull", json: #"{"maxMessages":10}"#).json
            let ackIDs = (pulled["receivedMessages"] as? [[String: Any]] ?? []).compactMap { $0["ackId"] as? String }
            #expect(ackIDs.count == 1)
            #expect(try await emulator.send("POST", "/v1/projects/demo/subscriptions/sub:acknowledge", json: #"{"ackIds":["\#(ackIDs.joined(separator: "\",\""))"]}"#).status == 200)
            try await gcloud.succeed(["pubsub", "subscriptions", "seek", "sub", "--snapshot=snap"])
            let again = try await emulator.send("POST", "/v1/projects/demo/subscriptions/sub:pull", json: #"{"maxMessages":10}"#).json
            #expect((again["receivedMessages"] as? [[String: Any]])?.count == 1)
            try await gcloud.succeed(["pubsub", "subscriptions", "seek", "sub", "--time=2000-01-01T00:00:00Z"])

            let unimplemented = try await gcloud.run(["pubsub", "schemas", "list"])
            #expect(unimplemented.status != 0)
            #expect(unimplemented.output.contains("UNIMPLEMENTED"), "\(unimplemented.output)")
            #expect(unimplemented.took < .seconds(25), "gcloud retried: \(unimplemented.took)")
        }
    }

    @Test("gcloud tasks: queues create and update, create-http-task, tasks run, locations list", .timeLimit(.minutes(5)))
    func tasks() async throws {
        try await TestEmulator.run { emulator in
            let gcloud = try Gcloud(emulator: emulator.baseURL)
            defer { gcloud.remove() }
            let location = "--location=europe-west1"
            try await gcloud.succeed(["tasks", "queues", "create", "q", location])
            try await gcloud.succeed(["tasks", "queues", "update", "q", location, "--max-attempts=3", "--max-dispatches-per-second=5"])
            let queue = try await emulator.send("GET", "/v2/projects/demo/locations/europe-west1/queues/q").json
            #expect(queue.value(at: "retryConfig.maxAttempts") as? Int == 3)
            #expect(queue.value(at: "rateLimits.maxDispatchesPerSecond") as? Double == 5)
            // Paused, so that the task stays for `run` to find (nothing dispatches in this test anyway).
            try await gcloud.succeed(["tasks", "create-http-task", "t1", "--queue=q", location, "--url=http://127.0.0.1:9/x",
                                      "--schedule-time=2099-01-01T00:00:00Z"])
            let output = try await gcloud.succeed(["tasks", "run", "t1", "--queue=q", location, "--format=value(scheduleTime)"])
            #expect(!output.contains("2099"), "\(output)")
            let locations = try await gcloud.succeed(["tasks", "locations", "list", "--format=value(locationId)"])
            #expect(locations.contains("europe-west1") && locations.contains("us-central1"), "\(locations)")
        }
    }
}
