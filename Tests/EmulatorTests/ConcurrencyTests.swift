import Runtime
import Foundation
import Testing

/// Writes that race serialize correctly.
@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("50 concurrent commits incrementing one counter end at exactly 50")
    func concurrentIncrements() async throws {
        try await TestEmulator.run { emulator in
            let root = "projects/demo/databases/(default)/documents"
            let body = #"{"writes":[{"transform":{"document":"\#(root)/jobs/j","fieldTransforms":[{"fieldPath":"done","increment":{"integerValue":"1"}}]}}]}"#
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await emulator.send("POST", "/v1/projects/demo/databases/(default)/documents:commit", json: body).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 200 })
            let document = try await emulator.send("GET", "/v1/projects/demo/databases/(default)/documents/jobs/j")
            #expect(document.json.value(at: "fields.done.integerValue") as? String == "50")
        }
    }

    @Test("concurrent creates of one task name: exactly one succeeds, the others are 409")
    func concurrentTaskCreates() async throws {
        try await TestEmulator.run { emulator in
            let parent = "/v2/projects/demo/locations/l/queues"
            try await emulator.send("POST", parent, json: #"{"name":"projects/demo/locations/l/queues/q"}"#)
            let body = #"{"task":{"name":"projects/demo/locations/l/queues/q/tasks/same","httpRequest":{"url":"http://x/"}}}"#
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<30 {
                    group.addTask { try await emulator.send("POST", "\(parent)/q/tasks", json: body).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 29)
        }
    }
}
