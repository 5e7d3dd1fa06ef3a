import Foundation
import GoogleCloud
import GRDB
import PixelPipeCore
import Testing
import TestSupport

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
        let inFlightAtKill = try await handler.run(delay: .milliseconds(300)) { url -> Set<String> in
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
            // Exactly the tasks in flight when the process died: those may arrive twice.
            let inFlight: Set<String> = try await DatabaseQueue(path: data.appendingPathComponent("emulator.sqlite").path).read { db in
                Set(try String.fetchAll(db, sql: "SELECT name FROM tasks_tasks WHERE in_flight = 1").map { String($0.split(separator: "/").last ?? "") })
            }

            let second = try await EmulatorProcess(dataDirectory: data)
            defer { second.stop() }
            try await DeliveryHarness.eventually("every task to complete") {
                let names = Set(handler.arrivals.compactMap { $0.header("X-CloudTasks-TaskName") })
                let listed = try await TestResponse.send(client: client, method: "GET", url: second.baseURL + queue + "/tasks")
                return names.count == 40 && (listed.json["tasks"] as? [Any] ?? []).isEmpty
            }
            return inFlight
        }
        let arrivals = handler.arrivals
        var counts: [String: Int] = [:]
        for arrival in arrivals { counts[arrival.header("X-CloudTasks-TaskName") ?? "", default: 0] += 1 }
        #expect(counts.count == 40)
        let repeated = Set(counts.filter { $0.value > 1 }.keys)
        // Only tasks in flight at the kill (at most maxConcurrentDispatches) may arrive twice;
        // every other task arrives exactly once.
        #expect(inFlightAtKill.count <= 5)
        #expect(repeated.isSubset(of: inFlightAtKill))
        #expect(counts.values.allSatisfy { $0 <= 2 })
        let notInFlight = Set(counts.keys).subtracting(inFlightAtKill)
        #expect(notInFlight.count >= 35)
        #expect(notInFlight.allSatisfy { counts[$0] == 1 })
    }
}
