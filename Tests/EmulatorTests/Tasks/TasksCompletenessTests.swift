import Foundation
import Testing

/// What `gcloud tasks` calls besides create, list and delete: queue updates with update masks,
/// `tasks:run`, locations, the task size limit, and `UNIMPLEMENTED` for the rest.
@Suite("Cloud Tasks completeness")
struct TasksCompletenessTests {
    static let parent = "/v2/projects/demo/locations/europe-west1"

    @Test("PATCH of a queue changes only the masked fields, keeps its state, and creates a queue that does not exist")
    func updateQueue() async throws {
        try await TestEmulator.run { emulator in
            #expect(try await emulator.send("POST", "\(Self.parent)/queues", json: #"{"name":"projects/demo/locations/europe-west1/queues/q"}"#).status == 200)
            #expect(try await emulator.send("POST", "\(Self.parent)/queues/q:pause", json: "{}").status == 200)
            let patched = try await emulator.send(
                "PATCH", "\(Self.parent)/queues/q?updateMask=rateLimits.maxDispatchesPerSecond%2CretryConfig.maxAttempts",
                json: #"{"name":"projects/demo/locations/europe-west1/queues/q","rateLimits":{"maxDispatchesPerSecond":5},"retryConfig":{"maxAttempts":3,"maxDoublings":1}}"#)
            #expect(patched.status == 200, "\(patched.text)")
            #expect(patched.json.value(at: "rateLimits.maxDispatchesPerSecond") as? Double == 5)
            #expect(patched.json.value(at: "rateLimits.maxConcurrentDispatches") as? Int == 1000)
            #expect(patched.json.value(at: "retryConfig.maxAttempts") as? Int == 3)
            #expect(patched.json.value(at: "retryConfig.maxDoublings") as? Int == 16, "not in the mask")
            #expect(patched.json["state"] as? String == "PAUSED")
            let got = try await emulator.send("GET", "\(Self.parent)/queues/q").json
            #expect(got.value(at: "retryConfig.maxAttempts") as? Int == 3)

            let created = try await emulator.send("PATCH", "\(Self.parent)/queues/fresh", json: #"{"rateLimits":{"maxConcurrentDispatches":7}}"#)
            #expect(created.status == 200, "\(created.text)")
            #expect(created.json.value(at: "rateLimits.maxConcurrentDispatches") as? Int == 7)
            #expect(created.json["state"] as? String == "RUNNING")
            let invalid = try await emulator.send("PATCH", "\(Self.parent)/queues/q?updateMask=rateLimits.maxDispatchesPerSecond",
                                                  json: #"{"rateLimits":{"maxDispatchesPerSecond":501}}"#)
            #expect(invalid.status == 400 && invalid.errorStatus == "INVALID_ARGUMENT", "\(invalid.text)")
            let state = try await emulator.send("PATCH", "\(Self.parent)/queues/q?updateMask=state", json: #"{"state":"RUNNING"}"#)
            #expect(state.status == 400, "\(state.text)")
        }
    }

    @Test("tasks:run makes a task scheduled for later due now and returns it; a missing task is 404")
    func runTask() async throws {
        try await TestEmulator.run { emulator in
            #expect(try await emulator.send("POST", "\(Self.parent)/queues", json: #"{"name":"projects/demo/locations/europe-west1/queues/q"}"#).status == 200)
            let later = "2099-01-01T00:00:00Z"
            let created = try await emulator.send("POST", "\(Self.parent)/queues/q/tasks", json: """
                {"task":{"name":"projects/demo/locations/europe-west1/queues/q/tasks/t1","scheduleTime":"\(later)","httpRequest":{"url":"http://127.0.0.1:9/x"}}}
                """)
            #expect(created.status == 200, "\(created.text)")
            let run = try await emulator.send("POST", "\(Self.parent)/queues/q/tasks/t1:run", json: "{}")
            #expect(run.status == 200, "\(run.text)")
            #expect(run.json["name"] as? String == "projects/demo/locations/europe-west1/queues/q/tasks/t1")
            let scheduled = try #require(run.json["scheduleTime"] as? String)
            #expect(scheduled < "2099", "\(scheduled)")
            #expect(try await emulator.send("POST", "\(Self.parent)/queues/q/tasks/none:run", json: "{}").status == 404)
        }
    }

    @Test("GET /v2/projects/P/locations lists Cloud Tasks' regions and those with queues; one location can be read")
    func locations() async throws {
        try await TestEmulator.run { emulator in
            #expect(try await emulator.send("POST", "/v2/projects/demo/locations/mars-north1/queues", json: #"{"name":"projects/demo/locations/mars-north1/queues/q"}"#).status == 200)
            let list = try await emulator.send("GET", "/v2/projects/demo/locations")
            #expect(list.status == 200, "\(list.text)")
            let ids = (list.json["locations"] as? [[String: Any]] ?? []).compactMap { $0["locationId"] as? String }
            #expect(ids.contains("us-central1") && ids.contains("mars-north1"))
            let one = try await emulator.send("GET", "/v2/projects/demo/locations/europe-west1").json
            #expect(one["name"] as? String == "projects/demo/locations/europe-west1")
        }
    }

    @Test("a task over 1 MB is refused with 400 INVALID_ARGUMENT \"Task size too large\", a 30 MB one too")
    func taskSize() async throws {
        try await TestEmulator.run { emulator in
            #expect(try await emulator.send("POST", "\(Self.parent)/queues", json: #"{"name":"projects/demo/locations/europe-west1/queues/q"}"#).status == 200)
            for size in [1_048_577, 30_000_000] {
                let body = Data(count: size).base64EncodedString()
                let response = try await emulator.send("POST", "\(Self.parent)/queues/q/tasks", json: #"{"task":{"httpRequest":{"url":"http://127.0.0.1:9/x","body":"\#(body)"}}}"#)
                #expect(response.status == 400, "\(size): \(response.text.prefix(200))")
                #expect(response.errorStatus == "INVALID_ARGUMENT" && response.errorMessage == "Task size too large")
            }
            let fits = Data(count: 1_000_000).base64EncodedString()
            #expect(try await emulator.send("POST", "\(Self.parent)/queues/q/tasks", json: #"{"task":{"httpRequest":{"url":"http://127.0.0.1:9/x","body":"\#(fits)"}}}"#).status == 200)
        }
    }

    @Test("what is not implemented fails at once with 400 UNIMPLEMENTED naming the method")
    func unimplemented() async throws {
        try await TestEmulator.run { emulator in
            #expect(try await emulator.send("POST", "\(Self.parent)/queues", json: #"{"name":"projects/demo/locations/europe-west1/queues/q"}"#).status == 200)
            for (method, path) in [("POST", "\(Self.parent)/queues/q:getIamPolicy"), ("GET", "/v2/projects/demo/somethingElse"),
                                   ("POST", "\(Self.parent)/queues/q/tasks/t:lease")] {
                let response = try await emulator.send(method, path, json: "{}")
                #expect(response.status == 400, "\(path): \(response.text)")
                #expect(response.errorStatus == "UNIMPLEMENTED")
                #expect(response.errorMessage.contains(path), "\(response.errorMessage)")
            }
        }
    }
}
