import Foundation
import GoogleCloud
import Synchronization
import Testing

/// What the emulator acknowledged survives SIGKILL.
@Suite("Durability", .serialized)
struct DurabilityTests {
    @Test("acknowledged publishes, task creations, uploads and commits survive SIGKILL and restart", .timeLimit(.minutes(3)))
    func survivesKill() async throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-kill-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: parent) }
        let data = parent.appendingPathComponent("data")
        let client = HTTPClient()
        defer { client.shutdown() }

        let first = try await EmulatorProcess(dataDirectory: data)
        defer { first.stop() }
        func send(_ base: String, _ method: String, _ path: String, json: String? = nil, body: Data? = nil) async throws -> TestResponse {
            try await TestResponse.send(client: client, method: method, url: base + path, json: json, body: body)
        }
        let root = "projects/demo/databases/(default)/documents"
        #expect(try await send(first.baseURL, "POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#).status == 200)
        #expect(try await send(first.baseURL, "PUT", "/v1/projects/demo/topics/topic-1", json: "{}").status == 200)
        #expect(try await send(first.baseURL, "PUT", "/v1/projects/demo/subscriptions/sub-1", json: #"{"topic":"projects/demo/topics/topic-1"}"#).status == 200)
        #expect(try await send(first.baseURL, "POST", "/v2/projects/demo/locations/l/queues", json: #"{"name":"projects/demo/locations/l/queues/q"}"#).status == 200)

        // A burst of concurrent writes; count only those acknowledged with 200.
        let acknowledged = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            for index in 0..<40 {
                let payload = Data("m\(index)".utf8).base64EncodedString()
                group.addTask {
                    let response = try await send(first.baseURL, "POST", "/v1/projects/demo/topics/topic-1:publish",
                                                  json: #"{"messages":[{"data":"\#(payload)"}]}"#)
                    return ("publish", response.status == 200)
                }
                group.addTask {
                    let response = try await send(first.baseURL, "POST", "/v2/projects/demo/locations/l/queues/q/tasks",
                                                  json: #"{"task":{"name":"projects/demo/locations/l/queues/q/tasks/t\#(index)","httpRequest":{"url":"http://x/"}}}"#)
                    return ("task", response.status == 200)
                }
                group.addTask {
                    let response = try await send(first.baseURL, "POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=in%2F\(index).txt",
                                                  body: Data("object \(index)".utf8))
                    return ("upload", response.status == 200)
                }
                group.addTask {
                    let response = try await send(first.baseURL, "POST", "/v1/projects/demo/databases/(default)/documents:commit",
                                                  json: #"{"writes":[{"transform":{"document":"\#(root)/jobs/j","fieldTransforms":[{"fieldPath":"n","increment":{"integerValue":"1"}}]}}]}"#)
                    return ("commit", response.status == 200)
                }
            }
            return try await group.reduce(into: [String: Int]()) { counts, result in if result.1 { counts[result.0, default: 0] += 1 } }
        }
        #expect(acknowledged == ["publish": 40, "task": 40, "upload": 40, "commit": 40])
        first.kill()

        let second = try await EmulatorProcess(dataDirectory: data)
        defer { second.stop() }
        let pulled = try await send(second.baseURL, "POST", "/v1/projects/demo/subscriptions/sub-1:pull", json: #"{"maxMessages":1000}"#)
        #expect((pulled.json["receivedMessages"] as? [[String: Any]])?.count == 40)
        let tasks = try await send(second.baseURL, "GET", "/v2/projects/demo/locations/l/queues/q/tasks?pageSize=1000")
        #expect((tasks.json["tasks"] as? [[String: Any]])?.count == 40)
        let objects = try await send(second.baseURL, "GET", "/storage/v1/b/uploads/o?prefix=in%2F")
        #expect((objects.json["items"] as? [[String: Any]])?.count == 40)
        for index in [0, 17, 39] {
            #expect(try await send(second.baseURL, "GET", "/storage/v1/b/uploads/o/in%2F\(index).txt?alt=media").text == "object \(index)")
            #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("buckets/uploads/in/\(index).txt").path))
        }
        let counter = try await send(second.baseURL, "GET", "/v1/projects/demo/databases/(default)/documents/jobs/j")
        #expect(counter.json.value(at: "fields.n.integerValue") as? String == "40")
    }

    @Test("SIGKILL in the middle of a burst loses nothing that was acknowledged", .timeLimit(.minutes(3)))
    func killMidBurst() async throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-kill-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: parent) }
        let data = parent.appendingPathComponent("data")
        let client = HTTPClient()
        defer { client.shutdown() }
        func send(_ base: String, _ method: String, _ path: String, json: String? = nil, body: Data? = nil) async throws -> TestResponse {
            try await TestResponse.send(client: client, method: method, url: base + path, json: json, body: body)
        }
        let root = "projects/demo/databases/(default)/documents"
        let first = try await EmulatorProcess(dataDirectory: data)
        defer { first.stop() }
        try await send(first.baseURL, "POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#)
        try await send(first.baseURL, "PUT", "/v1/projects/demo/topics/topic-1", json: "{}")
        try await send(first.baseURL, "PUT", "/v1/projects/demo/subscriptions/sub-1", json: #"{"topic":"projects/demo/topics/topic-1"}"#)
        try await send(first.baseURL, "POST", "/v2/projects/demo/locations/l/queues", json: #"{"name":"projects/demo/locations/l/queues/q"}"#)

        // The process is killed once 200 writes are acknowledged, with more still in flight.
        let ledger = AcknowledgedWrites(killAfter: 200, process: first)
        let record = ledger.record
        // At most 96 requests are in flight (24 of each kind): an open socket per request would
        // otherwise push this test process past ~1,360 descriptors, where Foundation's
        // `Process.run()` (used by the suites running alongside) over-reads its /proc/self/fd
        // listing and can crash the whole test run (swift-corelibs-foundation, Swift 6.3).
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<250 {
                if index >= 24 { for _ in 0..<4 { try await group.next() } }
                group.addTask {
                    let response = try? await send(first.baseURL, "POST", "/v1/projects/demo/topics/topic-1:publish",
                                                   json: #"{"messages":[{"data":"eA==","attributes":{"i":"\#(index)"}}]}"#)
                    record("publish", (response?.json["messageIds"] as? [String])?.first ?? "", response)
                }
                group.addTask {
                    let response = try? await send(first.baseURL, "POST", "/v2/projects/demo/locations/l/queues/q/tasks",
                                                   json: #"{"task":{"name":"projects/demo/locations/l/queues/q/tasks/t\#(index)","httpRequest":{"url":"http://x/"}}}"#)
                    record("task", "t\(index)", response)
                }
                group.addTask {
                    let response = try? await send(first.baseURL, "POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=in%2F\(index)", body: Data("o\(index)".utf8))
                    record("upload", "\(index)", response)
                }
                group.addTask {
                    let response = try? await send(first.baseURL, "POST", "/v1/projects/demo/databases/(default)/documents:commit",
                                                   json: #"{"writes":[{"transform":{"document":"\#(root)/jobs/j","fieldTransforms":[{"fieldPath":"n","increment":{"integerValue":"1"}}]}}]}"#)
                    record("commit", "\(index)", response)
                }
            }
            try await group.waitForAll()
        }
        first.kill()
        let acked = ledger.snapshot
        #expect(acked.values.map(\.count).reduce(0, +) >= 200)

        let second = try await EmulatorProcess(dataDirectory: data)
        defer { second.stop() }
        let pulled = try await send(second.baseURL, "POST", "/v1/projects/demo/subscriptions/sub-1:pull", json: #"{"maxMessages":1000}"#)
        let pulledIDs = Set((pulled.json["receivedMessages"] as? [[String: Any]] ?? []).compactMap { $0.value(at: "message.messageId") as? String })
        #expect(Set(acked["publish"] ?? []).isSubset(of: pulledIDs))
        let tasks = try await send(second.baseURL, "GET", "/v2/projects/demo/locations/l/queues/q/tasks?pageSize=1000")
        let taskIDs = Set((tasks.json["tasks"] as? [[String: Any]] ?? []).compactMap { ($0["name"] as? String)?.split(separator: "/").last.map(String.init) })
        #expect(Set(acked["task"] ?? []).isSubset(of: taskIDs))
        for index in acked["upload"] ?? [] {
            #expect(try await send(second.baseURL, "GET", "/storage/v1/b/uploads/o/in%2F\(index)?alt=media").text == "o\(index)")
        }
        let counter = try await send(second.baseURL, "GET", "/v1/projects/demo/databases/(default)/documents/jobs/j")
        let count = Int(counter.json.value(at: "fields.n.integerValue") as? String ?? "0") ?? 0
        #expect(count >= (acked["commit"] ?? []).count)
    }
}

/// Which writes the emulator acknowledged, by kind; kills the process at a threshold.
final class AcknowledgedWrites: Sendable {
    private let writes = Mutex([String: [String]]())
    private let killed = Atomic<Bool>(false)
    private let threshold: Int
    private let process: EmulatorProcess

    init(killAfter threshold: Int, process: EmulatorProcess) {
        self.threshold = threshold
        self.process = process
    }

    /// Records `key` under `kind` when `response` is a 200.
    @Sendable func record(_ kind: String, _ key: String, _ response: TestResponse?) {
        guard response?.status == 200 else { return }
        let total = writes.withLock { writes in
            writes[kind, default: []].append(key)
            return writes.values.map(\.count).reduce(0, +)
        }
        if total >= threshold, !killed.exchange(true, ordering: .relaxed) { process.kill() }
    }

    var snapshot: [String: [String]] { writes.withLock { $0 } }
}
