import Foundation
import GoogleCloud
import GRDB

extension PubSubStore {
    /// Detaches a subscription from its topic, as `DetachSubscription` does: its backlog is
    /// dropped, nothing published reaches it any more, and pulls on it fail with
    /// `FAILED_PRECONDITION`. The subscription itself stays until deleted, showing `detached`.
    func detachSubscription(name: String) async throws {
        try await store.write { db in
            guard let text = try String.fetchOne(db, sql: "SELECT body FROM pubsub_subscriptions WHERE name = ?", arguments: [name]) else {
                throw GoogleAPIError.notFound("Resource not found (resource=\(name)).")
            }
            var subscription = try StoredJSON.decode(PubSubSubscription.self, from: text)
            subscription.detached = true
            try db.execute(sql: "UPDATE pubsub_subscriptions SET body = ?, topic = ? WHERE name = ?",
                           arguments: [try StoredJSON.encode(subscription), Self.deletedTopic, name])
            let ids = try Int64.fetchAll(db, sql: "SELECT message_id FROM pubsub_deliveries WHERE subscription = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM pubsub_deliveries WHERE subscription = ?", arguments: [name])
            try Self.dropUndelivered(ids, in: db)
        }
        // Streams on the subscription wake and end with FAILED_PRECONDITION.
        store.workSignal.notify()
    }
}
