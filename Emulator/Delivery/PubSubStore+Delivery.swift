import Foundation
import GoogleCloud
import GRDB

/// The durable state of push delivery (`PushDeliverySource`), kept like the tasks': `in_flight` set with the
/// attempt count in one commit, cleared with the outcome, and cleared for all at start-up. The
/// mark is a lease until `next_delivery_us` (the ack deadline plus `DeliveryLease.grace`), after
/// which the message is pushed again even if the outcome of the push never got recorded, as
/// Pub/Sub redelivers a message whose ack deadline passed.
extension PubSubStore {
    /// Adds the push columns (`in_flight`, `last_status`, `dead_lettered`) after `v1-pubsub`.
    static func registerDeliveryMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-pubsub-push") { db in
            try db.execute(sql: """
                ALTER TABLE pubsub_deliveries ADD COLUMN in_flight INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE pubsub_deliveries ADD COLUMN last_status INTEGER;
                ALTER TABLE pubsub_subscriptions ADD COLUMN dead_lettered INTEGER NOT NULL DEFAULT 0;
                """)
        }
    }

    /// Makes every push marked in flight due now (the process that made it is gone).
    @discardableResult
    func releaseInFlightPushes(nowMicroseconds now: Int64) async throws -> Int {
        try await store.write { db in
            try db.execute(sql: "UPDATE pubsub_deliveries SET in_flight = 0, next_delivery_us = ? WHERE in_flight = 1", arguments: [now])
            return db.changesCount
        }
    }

    /// Every subscription with a push endpoint.
    func pushSubscriptions() async throws -> [PushSubscriptionSettings] {
        try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT name, body FROM pubsub_subscriptions").compactMap { row in
                var subscription = try StoredJSON.decode(PubSubSubscription.self, from: row["body"])
                subscription.name = row["name"]
                return PushSubscriptionSettings(subscription)
            }
        }
    }

    /// Marks up to `limit` due messages of `subscription` in flight, counting an attempt and
    /// leasing them for `ackDeadline` (as a pull would).
    func claimDuePushes(subscription: String, ordered: Bool = false, limit: Int, ackDeadline: Duration, nowMicroseconds now: Int64) async throws -> [ClaimedMessage] {
        guard limit > 0 else { return [] }
        let lease = (ackDeadline + DeliveryLease.grace).wholeMicroseconds
        return try await store.write { db in
            let rows = try Self.dueDeliveries(subscription: subscription, ordered: ordered, nowMicroseconds: now, limit: limit, in: db)
            let mark = try db.cachedStatement(sql: """
                UPDATE pubsub_deliveries SET in_flight = 1, delivery_attempts = delivery_attempts + 1, next_delivery_us = ?
                WHERE subscription = ? AND message_id = ?
                """)
            return try rows.map { row in
                let id: Int64 = row["message_id"]
                try mark.execute(arguments: [now + lease, subscription, id])
                return ClaimedMessage(
                    subscription: subscription, messageID: id, data: row["data"],
                    attributes: try (row["attributes"] as String?).map { try StoredJSON.decode([String: String].self, from: $0) },
                    orderingKey: row["ordering_key"], publishTime: GoogleTimestamp(microseconds: row["publish_time_us"]),
                    attempt: (row["delivery_attempts"] as Int) + 1,
                    leaseEndMicroseconds: now + lease
                )
            }
        }
    }

    /// Records how push attempt `attempt` ended; nothing happens when that attempt no longer holds
    /// the delivery (subscription deleted, or the message claimed again after its lease lapsed).
    /// Returns whether messages were published (dead-lettered), so their subscribers can be woken.
    @discardableResult
    func finishPush(subscription: String, messageID: Int64, attempt: Int, outcome: PushOutcome) async throws -> Bool {
        try await store.write { db in
            switch outcome {
            case .acknowledged:
                try db.execute(sql: "DELETE FROM pubsub_deliveries WHERE subscription = ? AND message_id = ? AND in_flight = 1 AND delivery_attempts = ?",
                               arguments: [subscription, messageID, attempt])
                guard db.changesCount > 0 else { return false }
                try Self.dropUndelivered([messageID], in: db)
                return false
            case let .retry(at, status):
                try db.execute(sql: """
                    UPDATE pubsub_deliveries SET in_flight = 0, next_delivery_us = ?, last_status = ?
                    WHERE subscription = ? AND message_id = ? AND in_flight = 1 AND delivery_attempts = ?
                    """, arguments: [at, status, subscription, messageID, attempt])
                return false
            case let .deadLetter(topic, _):
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM pubsub_deliveries WHERE subscription = ? AND message_id = ? AND in_flight = 1 AND delivery_attempts = ?",
                                        arguments: [subscription, messageID, attempt]) == true,
                      let message = try Row.fetchOne(db, sql: "SELECT data, attributes, ordering_key FROM pubsub_messages WHERE id = ?", arguments: [messageID]) else {
                    return false
                }
                let topicExists = try Bool.fetchOne(db, sql: "SELECT 1 FROM pubsub_topics WHERE name = ?", arguments: [topic]) == true
                if topicExists {
                    _ = try Self.insertMessages(topic: topic, messages: [(message["data"], message["attributes"], message["ordering_key"])], in: db)
                }
                try db.execute(sql: "DELETE FROM pubsub_deliveries WHERE subscription = ? AND message_id = ?", arguments: [subscription, messageID])
                try Self.dropUndelivered([messageID], in: db)
                try db.execute(sql: "UPDATE pubsub_subscriptions SET dead_lettered = dead_lettered + 1 WHERE name = ?", arguments: [subscription])
                return topicExists
            }
        }
    }

    /// The earliest time a message of `subscription` may be pushed: its next delivery time, which
    /// for a message in flight is the end of its lease. With `ordered`, messages waiting behind an
    /// earlier one of their ordering key do not count (the earlier one's answer signals).
    func nextDuePush(subscription: String, ordered: Bool = false) async throws -> Int64? {
        try await store.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT MIN(d.next_delivery_us) FROM pubsub_deliveries d JOIN pubsub_messages m ON m.id = d.message_id
                WHERE d.subscription = ? \(ordered ? Self.headOfItsKey : "")
                """, arguments: [subscription])
        }
    }

    /// Backlog and dead-letter counters for every subscription, by name.
    func subscriptionStats() async throws -> [SubscriptionDeliveryStats] {
        try await store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.name, s.dead_lettered,
                       (SELECT COUNT(*) FROM pubsub_deliveries d WHERE d.subscription = s.name) AS backlog,
                       (SELECT COUNT(*) FROM pubsub_deliveries d WHERE d.subscription = s.name AND d.in_flight = 1) AS in_flight
                FROM pubsub_subscriptions s ORDER BY s.name
                """).map { row in
                SubscriptionDeliveryStats(subscription: row["name"], backlog: row["backlog"], inFlight: row["in_flight"], deadLettered: row["dead_lettered"])
            }
        }
    }
}
