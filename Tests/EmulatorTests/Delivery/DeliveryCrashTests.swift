import Foundation
import Runtime
import Testing

/// The real `emulator up` binary killed while dispatching, then restarted on the same data.
@Suite("Delivery: crash and restart", .serialized)
struct DeliveryCrashTests {
    @Test("after SIGKILL mid-dispatch every task arrives; those not in flight at the kill arrive exactly once", .timeLimit(.minutes(3)))
    func resumesAfterKill() async throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-dispatch-kill-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: parent) }
        let data = parent.appendingPathComponent("data")
        let client = HTTPClient()
        defer { client.shutdown() }
        let queue = "/v2/projects/demo/locations/l/queues/q"
        let handler = TestHandler()
        let killedAt = try await handler.run(delay: .milliseconds(300)) { url in
            let first = try await EmulatorProcess(dataDirectory: data)
            defer { first.stop() }
            func send(_ base: String, _ method: String, _ path: String, json: String) async throws -> Int {
                try await TestResponse.send(client: client, method: method, url: base + path, json: json).status
            }
            #expect(try await send(first.baseURL, "POST", "/v2/projects/demo/locations/l/queues",
                                   json: #"{"name":"projects/demo/locations/l/queues/q","rateLimits":{"maxConcurrentDispatches":5}}"#) == 200)
            for index in 0..<40 {
                #expect(try await send(first.baseURL, "POST", queue + "/tasks",
                                       json: #"{"task":{"name":"projects/demo/locations/l/queues/q/tasks/t\#(index)","httpRequest":{"url":"\#(url)"}}}"#) == 200)
            }
            try await DeliveryHarness.eventually("some dispatches") { handler.arrivals.count >= 15 }
            first.kill()
            let killedAt = ContinuousClock.now

            let second = try await EmulatorProcess(dataDirectory: data)
            defer { second.stop() }
            try await DeliveryHarness.eventually("every task to complete") {
                let names = Set(handler.arrivals.compactMap { $0.header("X-CloudTasks-TaskName") })
                let listed = try await TestResponse.send(client: client, method: "GET", url: second.baseURL + queue + "/tasks")
                return names.count == 40 && (listed.json["tasks"] as? [Any] ?? []).isEmpty
            }
            return killedAt
        }
        let arrivals = handler.arrivals
        var counts: [String: Int] = [:]
        for arrival in arrivals { counts[arrival.header("X-CloudTasks-TaskName") ?? "", default: 0] += 1 }
        let beforeKill = Set(arrivals.filter { $0.at < killedAt }.compactMap { $0.header("X-CloudTasks-TaskName") })
        #expect(counts.count == 40)
        let repeated = Set(counts.filter { $0.value > 1 }.keys)
        // Only tasks in flight at the kill (at most maxConcurrentDispatches) may arrive twice.
        #expect(repeated.isSubset(of: beforeKill))
        #expect(repeated.count <= 5)
        #expect(counts.values.allSatisfy { $0 <= 2 })
        let afterKillOnly = Set(counts.keys).subtracting(beforeKill)
        #expect(!afterKillOnly.isEmpty)
        #expect(afterKillOnly.allSatisfy { counts[$0] == 1 })
    }
}
