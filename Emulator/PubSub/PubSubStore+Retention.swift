import Foundation
import GRDB

/// Message retention for every subscription, not only on pull: a push subscription whose
/// endpoint keeps failing would otherwise keep its messages (and their delivery rows) for as long
/// as it exists, while Pub/Sub drops a message once it is older than the subscription's
/// `messageRetentionDuration`.
extension PubSubStore {
    /// Drops up to `limit` deliveries of `subscription` whose message is older than its
    /// retention at `now`, oldest first, and the messages no subscription still needs; returns how
    /// many deliveries went. Deliveries in flight are left to their outcome. The search is a read,
    /// so the write that follows is short.
    func expireDeliveries(subscription: String, limit: Int, nowMicroseconds now: Int64) async throws -> Int {
        let expired = try await store.read { db -> [Int64] in
            guard let retention = try Int64.fetchOne(db, sql: "SELECT retention_us FROM pubsub_subscriptions WHERE name = ?", arguments: [subscription]) else {
                return []
            }
            // Deliveries in message-id order, which is publish order: stop at the first message
            // still within retention.
            var found: [Int64] = []
            let rows = try Row.fetchCursor(db, sql: """
                SELECT d.message_id, d.in_flight, m.publish_time_us FROM pubsub_deliveries d JOIN pubsub_messages m ON m.id = d.message_id
                WHERE d.subscription = ? ORDER BY d.message_id
                """, arguments: [subscription])
            while found.count < limit, let row = try rows.next() {
                guard (row["publish_time_us"] as Int64) < now - retention else { break }
                if !(row["in_flight"] as Bool) { found.append(row["message_id"]) }
            }
            return found
        }
        guard !expired.isEmpty else { return 0 }
        return try await store.write { db in
            let deleted = try db.deleteEach("DELETE FROM pubsub_deliveries WHERE subscription = ? AND message_id = ? AND in_flight = 0",
                                            arguments: expired.map { [subscription, $0] })
            try Self.dropUndelivered(expired, in: db)
            return deleted
        }
    }

    /// Every subscription's name.
    func subscriptionNames() async throws -> [String] {
        try await store.read { db in try String.fetchAll(db, sql: "SELECT name FROM pubsub_subscriptions ORDER BY name") }
    }
}
