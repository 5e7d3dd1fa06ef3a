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

    @Test("racing uploads and deletes of one name leave the file and the row agreeing")
    func uploadDeleteRace() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        if index % 2 == 0 {
                            try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=dir%2Fx", body: Data("v\(index)".utf8))
                        } else {
                            try await emulator.send("DELETE", "/storage/v1/b/uploads/o/dir%2Fx")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let file = emulator.dataDirectory.appendingPathComponent("buckets/uploads/dir/x")
            let metadata = try await emulator.send("GET", "/storage/v1/b/uploads/o/dir%2Fx")
            if metadata.status == 200 {
                let media = try await emulator.send("GET", "/storage/v1/b/uploads/o/dir%2Fx?alt=media")
                #expect(try Data(contentsOf: file) == media.body)
                #expect(metadata.json["size"] as? String == String(media.body.count))
            } else {
                #expect(metadata.status == 404)
                #expect(!FileManager.default.fileExists(atPath: file.path))
            }
            let final = try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=dir%2Fx", body: Data("final".utf8))
            #expect(final.status == 200)
            #expect(try Data(contentsOf: file) == Data("final".utf8))
        }
    }
}
