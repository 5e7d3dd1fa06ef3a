import Foundation
import PipelineModel
import Testing

/// Cloud Tasks REST v2 as the client libraries call it.
@Suite("Cloud Tasks REST API")
struct TasksAPITests {
    static let parent = "/v2/projects/demo/locations/europe-west1"
    static let alt = "?%24alt=json%3Benum-encoding%3Dint"

    @Test("a queue is created with Cloud Tasks' defaults and can be paused, resumed, purged and deleted")
    func queues() async throws {
        try await TestEmulator.run { emulator in
            let created = try await emulator.send("POST", "\(Self.parent)/queues\(Self.alt)",
                                                  json: #"{"name":"projects/demo/locations/europe-west1/queues/job-1"}"#)
            #expect(created.status == 200)
            let queue = created.json
            #expect(queue["state"] as? String == "RUNNING")
            #expect(queue.value(at: "retryConfig.maxAttempts") as? Int == 100)
            #expect(queue.value(at: "retryConfig.minBackoff") as? String == "0.100s")
            #expect(queue.value(at: "retryConfig.maxBackoff") as? String == "3600s")
            #expect(queue.value(at: "retryConfig.maxDoublings") as? Int == 16)
            #expect(queue.value(at: "rateLimits.maxDispatchesPerSecond") as? Double == 500)
            #expect(queue.value(at: "rateLimits.maxBurstSize") as? Int == 100)
            #expect(queue.value(at: "rateLimits.maxConcurrentDispatches") as? Int == 1000)
            let custom = try await emulator.send("POST", "\(Self.parent)/queues", json: """
                {"name":"projects/demo/locations/europe-west1/queues/control","rateLimits":{"maxDispatchesPerSecond":5,"maxConcurrentDispatches":2},
                 "retryConfig":{"maxAttempts":5,"minBackoff":"1.5s","maxBackoff":"60s","maxDoublings":3,"maxRetryDuration":"600s"},"state":2}
                """)
            #expect(custom.json.value(at: "retryConfig.minBackoff") as? String == "1.500s")
            #expect(custom.json.value(at: "retryConfig.maxRetryDuration") as? String == "600s")
            #expect(custom.json.value(at: "rateLimits.maxConcurrentDispatches") as? Int == 2)
            #expect(custom.json["state"] as? String == "PAUSED")
            #expect(try await emulator.send("POST", "\(Self.parent)/queues", json: #"{"name":"projects/demo/locations/europe-west1/queues/job-1"}"#).errorStatus == "ALREADY_EXISTS")
            #expect(try await emulator.send("POST", "\(Self.parent)/queues/job-1:pause\(Self.alt)", json: "{}").json["state"] as? String == "PAUSED")
            #expect(try await emulator.send("POST", "\(Self.parent)/queues/job-1:resume", json: "{}").json["state"] as? String == "RUNNING")
            #expect(try await emulator.send("POST", "\(Self.parent)/queues/job-1:purge", json: "{}").json["purgeTime"] is String)
            let list = try await emulator.send("GET", "\(Self.parent)/queues").json
            #expect((list["queues"] as? [[String: Any]])?.count == 2)
            #expect(try await emulator.send("DELETE", "\(Self.parent)/queues/job-1").status == 200)
            #expect(try await emulator.send("GET", "\(Self.parent)/queues/job-1").status == 404)
        }
    }

    @Test("tasks: create with integer enums, get, list, delete; a used name stays taken")
    func tasks() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "\(Self.parent)/queues", json: #"{"name":"projects/demo/locations/europe-west1/queues/job-1"}"#)
            let name = "projects/demo/locations/europe-west1/queues/job-1/tasks/item-42"
            let body = """
                {"task":{"name":"\(name)","httpRequest":{"url":"http://127.0.0.1:8081/process","httpMethod":1,
                 "headers":{"Content-Type":"application/json"},"body":"eyJyb3ciOjQyfQ==",
                 "oidcToken":{"serviceAccountEmail":"sa@demo.iam.gserviceaccount.com","audience":"http://127.0.0.1:8081"}},
                 "scheduleTime":"2030-01-01T00:00:00Z","dispatchDeadline":"300s"},"responseView":2}
                """
            let created = try await emulator.send("POST", "\(Self.parent)/queues/job-1/tasks\(Self.alt)", json: body,
                                                  headers: [("x-goog-request-params", "parent=projects%2Fdemo%2Flocations%2Feurope-west1%2Fqueues%2Fjob-1")])
            #expect(created.status == 200)
            #expect(created.json["name"] as? String == name)
            #expect(created.json.value(at: "httpRequest.httpMethod") as? String == "POST")
            #expect(created.json.value(at: "httpRequest.body") as? String == "eyJyb3ciOjQyfQ==")
            #expect(created.json["scheduleTime"] as? String == "2030-01-01T00:00:00.000000Z")
            #expect(created.json["dispatchDeadline"] as? String == "300s")
            #expect(created.json["dispatchCount"] as? Int == 0)
            let duplicate = try await emulator.send("POST", "\(Self.parent)/queues/job-1/tasks\(Self.alt)", json: body)
            #expect(duplicate.status == 409)
            #expect(duplicate.errorStatus == "ALREADY_EXISTS")
            #expect(duplicate.errorMessage.contains("item-42"))

            let got = try await emulator.send("GET", "\(Self.parent)/queues/job-1/tasks/item-42")
            #expect(got.json["view"] as? String == "BASIC")
            #expect(got.json.value(at: "httpRequest.body") == nil)
            #expect(got.json.value(at: "httpRequest.oidcToken.audience") as? String == "http://127.0.0.1:8081")
            let generated = try await emulator.send("POST", "\(Self.parent)/queues/job-1/tasks", json: #"{"task":{"httpRequest":{"url":"http://x/","httpMethod":"GET"}}}"#)
            #expect((generated.json["name"] as? String)?.hasPrefix("projects/demo/locations/europe-west1/queues/job-1/tasks/") == true)
            #expect(generated.json.value(at: "httpRequest.httpMethod") as? String == "GET")
            let list = try await emulator.send("GET", "\(Self.parent)/queues/job-1/tasks?responseView=FULL")
            #expect((list.json["tasks"] as? [[String: Any]])?.count == 2)

            #expect(try await emulator.send("DELETE", "\(Self.parent)/queues/job-1/tasks/item-42").status == 200)
            #expect(try await emulator.send("GET", "\(Self.parent)/queues/job-1/tasks/item-42").status == 404)
            #expect(try await emulator.send("POST", "\(Self.parent)/queues/job-1/tasks", json: body).status == 409)
        }
    }

    @Test("creating a task in a missing queue is 404")
    func missingQueue() async throws {
        try await TestEmulator.run { emulator in
            let response = try await emulator.send("POST", "\(Self.parent)/queues/none/tasks", json: #"{"task":{"httpRequest":{"url":"http://x/"}}}"#)
            #expect(response.status == 404)
            #expect(response.errorStatus == "NOT_FOUND")
        }
    }
}
