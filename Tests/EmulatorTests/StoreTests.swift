import Foundation
import GoogleCloud
import GRDB
import Testing

@testable import Emulator

/// The store layer directly: group commit and Pub/Sub retention.
@Suite("Store")
struct StoreTests {
    /// A store in a fresh temporary directory, removed afterwards.
    static func withStore<T>(_ body: (EmulatorStore) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(try EmulatorStore(directory: directory))
    }

    @Test("a failing write in a group rolls back only itself")
    func savepointIsolation() async throws {
        try await Self.withStore { store in
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for index in 0..<40 {
                    group.addTask {
                        do {
                            try await store.write { db in
                                try db.execute(sql: "INSERT INTO meta(key, value) VALUES (?, 'x')", arguments: ["k\(index)"])
                                if index % 2 == 1 { throw GoogleAPIError.invalidArgument("odd \(index)") }
                            }
                            return (index, true)
                        } catch {
                            return (index, false)
                        }
                    }
                }
                return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(outcomes.filter(\.value).keys.sorted() == Array(stride(from: 0, to: 40, by: 2)))
            let keys = try await store.read { db in try String.fetchAll(db, sql: "SELECT key FROM meta WHERE key LIKE 'k%'") }
            #expect(Set(keys) == Set(stride(from: 0, to: 40, by: 2).map { "k\($0)" }))
        }
    }

    @Test("messages older than the subscription's retention are not delivered and are dropped")
    func retention() async throws {
        try await Self.withStore { store in
            let pubsub = PubSubStore(store: store)
            _ = try await pubsub.createTopic(name: "projects/p/topics/topic", body: .init())
            var subscription = PubSubSubscription()
            subscription.topic = "projects/p/topics/topic"
            subscription.messageRetentionDuration = .seconds(600)
            _ = try await pubsub.createSubscription(name: "projects/p/subscriptions/sub", body: subscription)
            let ids = try await pubsub.publish(topic: "projects/p/topics/topic", messages: [(Data("old".utf8), nil, nil), (Data("new".utf8), nil, nil)])
            let elevenMinutesAgo = GoogleTimestamp.now().microseconds - 660_000_000
            try await store.write { db in
                try db.execute(sql: "UPDATE pubsub_messages SET publish_time_us = ? WHERE id = ?", arguments: [elevenMinutesAgo, Int64(ids[0])!])
            }
            let received = try await pubsub.pull(subscription: "projects/p/subscriptions/sub", maxMessages: 10)
            #expect(received.map(\.message.messageId) == [ids[1]])
            let remaining = try await store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pubsub_messages") }
            #expect(remaining == 1)
        }
    }
}
