import Foundation
import GoogleCloud
import GRDB
import Testing

@testable import Emulator

/// Pub/Sub leaves no rows behind: acknowledged messages (pulled or pushed) go with their
/// delivery rows, and so do messages past their subscription's retention on a push
/// subscription, which is never pulled.
@Suite("Store: Pub/Sub clean-up")
struct PubSubCleanupTests {
    static let topic = "projects/demo/topics/images"

    /// A store with the topic, removed afterwards.
    static func withTopic(_ body: (EmulatorStore, PubSubStore) async throws -> Void) async throws {
        try await DeliveryHarness.withStore { store in
            let pubsub = PubSubStore(store: store)
            _ = try await pubsub.createTopic(name: topic, body: .init())
            try await body(store, pubsub)
        }
    }

    static func rows(_ store: EmulatorStore) async throws -> (messages: Int, deliveries: Int) {
        try await store.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pubsub_messages") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pubsub_deliveries") ?? 0)
        }
    }

    @Test("a message pulled and acknowledged on every subscription leaves no row")
    func pullAcknowledged() async throws {
        try await Self.withTopic { store, pubsub in
            for name in ["a", "b"] {
                _ = try await pubsub.createSubscription(name: "projects/demo/subscriptions/\(name)", body: .init(topic: Self.topic))
            }
            _ = try await pubsub.publish(topic: Self.topic, messages: [(Data("1".utf8), nil, nil), (Data("2".utf8), ["k": "v"], nil)])
            #expect(try await Self.rows(store) == (2, 4))

            let fromA = try await pubsub.pull(subscription: "projects/demo/subscriptions/a", maxMessages: 10)
            try await pubsub.acknowledge(subscription: "projects/demo/subscriptions/a", ackIDs: fromA.compactMap { AckID(text: $0.ackId) })
            #expect(try await Self.rows(store) == (2, 2))  // b still has them to deliver
            let fromB = try await pubsub.pull(subscription: "projects/demo/subscriptions/b", maxMessages: 10)
            try await pubsub.acknowledge(subscription: "projects/demo/subscriptions/b", ackIDs: fromB.compactMap { AckID(text: $0.ackId) })
            #expect(try await Self.rows(store) == (0, 0))
        }
    }

    @Test("a pushed message acknowledged by its endpoint leaves no row", .timeLimit(.minutes(1)))
    func pushAcknowledged() async throws {
        try await Self.withTopic { store, pubsub in
            let handler = TestHandler()
            try await handler.run { url in
                var subscription = Emulator.PubSubSubscription(topic: Self.topic)
                subscription.pushConfig = .init(pushEndpoint: url)
                _ = try await pubsub.createSubscription(name: "projects/demo/subscriptions/push", body: subscription)
                let deliverer = PushDeliverer(store: store, client: HTTPClient(), logger: DeliveryHarness.logger)
                try await DeliveryHarness.running(deliverer) {
                    _ = try await pubsub.publish(topic: Self.topic, messages: (0..<20).map { (Data("\($0)".utf8), nil, nil) })
                    try await DeliveryHarness.eventually("every message to be acknowledged") {
                        try await Self.rows(store) == (0, 0)
                    }
                }
            }
            #expect(handler.arrivals.count == 20)
        }
    }

    @Test("maintenance drops messages past retention on a push subscription whose endpoint keeps failing")
    func pushRetention() async throws {
        try await Self.withTopic { store, pubsub in
            var subscription = Emulator.PubSubSubscription(topic: Self.topic)
            subscription.pushConfig = .init(pushEndpoint: "http://127.0.0.1:9/unreachable")
            subscription.messageRetentionDuration = .seconds(600)
            _ = try await pubsub.createSubscription(name: "projects/demo/subscriptions/push", body: subscription)
            let ids = try await pubsub.publish(topic: Self.topic, messages: (0..<5).map { (Data("\($0)".utf8), nil, nil) })
            let elevenMinutesAgo = GoogleTimestamp.now().microseconds - 660_000_000
            try await store.write { db in
                try db.execute(sql: "UPDATE pubsub_messages SET publish_time_us = ? WHERE id <= ?", arguments: [elevenMinutesAgo, Int64(ids[2])!])
                // One of the expired ones is being pushed right now: its outcome decides.
                try db.execute(sql: "UPDATE pubsub_deliveries SET in_flight = 1 WHERE message_id = ?", arguments: [Int64(ids[1])!])
            }
            let maintenance = StoreMaintenance(store: store, configuration: .init(batchSize: 1), logger: DeliveryHarness.logger)
            let report = try await maintenance.runPass()
            #expect(report.expiredDeliveries == 2)
            #expect(try await Self.rows(store) == (3, 3))
            let left = try await store.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM pubsub_messages ORDER BY id") }
            #expect(left.map(String.init) == [ids[1], ids[3], ids[4]])
        }
    }
}
