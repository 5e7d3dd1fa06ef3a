import Foundation
import GoogleCloud
import GRDB

/// Snapshots and seek. A snapshot is a set of message ids (`pubsub_snapshot_messages`): the
/// subscription's unacknowledged messages when it was taken, and every message published to
/// the topic since (`insertMessages` adds them). A message row stays while any delivery or
/// snapshot holds it. Seeking to a snapshot makes the subscription's backlog exactly that set;
/// seeking to a time acknowledges what was published before it and makes what the emulator still
/// holds of the topic from that time on due again.
extension PubSubStore {
    /// How long a snapshot lives: until its oldest message is seven days old, as in Pub/Sub.
    static let snapshotLifetime = GoogleDuration.seconds(7 * 24 * 3600)

    static func registerSnapshotMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-pubsub-snapshots") { db in
            try db.execute(sql: """
                CREATE TABLE pubsub_snapshots (
                    name TEXT PRIMARY KEY, topic TEXT NOT NULL, body TEXT NOT NULL, expire_us INTEGER NOT NULL) WITHOUT ROWID;
                CREATE INDEX pubsub_snapshots_topic ON pubsub_snapshots(topic);
                CREATE TABLE pubsub_snapshot_messages (
                    snapshot TEXT NOT NULL, message_id INTEGER NOT NULL, PRIMARY KEY (snapshot, message_id)) WITHOUT ROWID;
                CREATE INDEX pubsub_snapshot_messages_message ON pubsub_snapshot_messages(message_id);
                """)
        }
    }

    /// Creates the snapshot a `CreateSnapshotRequest` asks for; its subscription is required.
    func createSnapshot(name: String, _ request: CreateSnapshotRequest) async throws -> PubSubSnapshot {
        guard let subscription = request.subscription, !subscription.isEmpty else {
            throw GoogleAPIError.invalidArgument("The subscription of the CreateSnapshotRequest is required.")
        }
        return try await createSnapshot(name: name, subscription: subscription, labels: request.labels)
    }

    func createSnapshot(name: String, subscription: String, labels: [String: String]?) async throws -> PubSubSnapshot {
        try await store.write { db in
            guard let topic = try String.fetchOne(db, sql: "SELECT topic FROM pubsub_subscriptions WHERE name = ?", arguments: [subscription]) else {
                throw GoogleAPIError.notFound("Resource not found (resource=\(subscription)).")
            }
            guard topic != Self.deletedTopic else {
                throw GoogleAPIError.failedPrecondition("The subscription's topic was deleted (resource=\(subscription)).")
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM pubsub_snapshots WHERE name = ?", arguments: [name]) == true {
                throw GoogleAPIError.alreadyExists("Resource already exists in the project (resource=\(name)).")
            }
            let now = GoogleTimestamp.now().microseconds
            let oldest = try Int64.fetchOne(db, sql: """
                SELECT MIN(m.publish_time_us) FROM pubsub_deliveries d JOIN pubsub_messages m ON m.id = d.message_id WHERE d.subscription = ?
                """, arguments: [subscription]) ?? now
            let snapshot = PubSubSnapshot(name: name, topic: topic,
                                          expireTime: GoogleTimestamp(microseconds: oldest + Self.snapshotLifetime.nanoseconds / 1_000), labels: labels)
            try db.execute(sql: "INSERT INTO pubsub_snapshots(name, topic, body, expire_us) VALUES (?, ?, ?, ?)",
                           arguments: [name, topic, try StoredJSON.encode(snapshot), snapshot.expireTime?.microseconds ?? now])
            try db.execute(sql: """
                INSERT INTO pubsub_snapshot_messages(snapshot, message_id) SELECT ?, message_id FROM pubsub_deliveries WHERE subscription = ?
                """, arguments: [name, subscription])
            return snapshot
        }
    }

    func snapshot(name: String) async throws -> PubSubSnapshot {
        try await store.read { db in
            guard let text = try String.fetchOne(db, sql: "SELECT body FROM pubsub_snapshots WHERE name = ?", arguments: [name]) else {
                throw GoogleAPIError.notFound("Resource not found (resource=\(name)).")
            }
            return try StoredJSON.decode(PubSubSnapshot.self, from: text)
        }
    }

    func listSnapshots(project: String, pageSize: Int, after: String?) async throws -> (snapshots: [PubSubSnapshot], next: String?) {
        let prefix = "projects/\(project)/snapshots/"
        return try await store.read { db in
            let rows = try String.fetchAll(db, sql: """
                SELECT body FROM pubsub_snapshots WHERE name >= ? AND name < ? AND name > ? ORDER BY name LIMIT ?
                """, arguments: [prefix, prefix + "\u{10FFFF}", after ?? "", pageSize + 1])
            let page = try rows.prefix(pageSize).map { try StoredJSON.decode(PubSubSnapshot.self, from: $0) }
            return (page, rows.count > pageSize ? page.last?.name : nil)
        }
    }

    /// The snapshots of `topic`, by name.
    func snapshotNames(topic: String) async throws -> [String] {
        try await store.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM pubsub_topics WHERE name = ?", arguments: [topic]) == true else {
                throw GoogleAPIError.notFound("Resource not found (resource=\(topic)).")
            }
            return try String.fetchAll(db, sql: "SELECT name FROM pubsub_snapshots WHERE topic = ? ORDER BY name", arguments: [topic])
        }
    }

    /// Changes the snapshot's labels (the only field Pub/Sub lets an update set besides its expiry).
    func updateSnapshot(name: String, patch: PubSubSnapshot, mask: UpdateMask) async throws -> PubSubSnapshot {
        guard !mask.isEmpty else { throw GoogleAPIError.invalidArgument("The update_mask in the UpdateSnapshotRequest must be set.") }
        try mask.check(allowed: ["labels"], request: "UpdateSnapshotRequest", resource: "Snapshot")
        return try await store.write { db in
            guard let text = try String.fetchOne(db, sql: "SELECT body FROM pubsub_snapshots WHERE name = ?", arguments: [name]) else {
                throw GoogleAPIError.notFound("Resource not found (resource=\(name)).")
            }
            var updated = try mask.apply(patch, to: try StoredJSON.decode(PubSubSnapshot.self, from: text))
            updated.name = name
            try db.execute(sql: "UPDATE pubsub_snapshots SET body = ? WHERE name = ?", arguments: [try StoredJSON.encode(updated), name])
            return updated
        }
    }

    func deleteSnapshot(name: String) async throws {
        try await store.write { db in
            try db.execute(sql: "DELETE FROM pubsub_snapshots WHERE name = ?", arguments: [name])
            guard db.changesCount > 0 else { throw GoogleAPIError.notFound("Resource not found (resource=\(name)).") }
            let ids = try Int64.fetchAll(db, sql: "SELECT message_id FROM pubsub_snapshot_messages WHERE snapshot = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM pubsub_snapshot_messages WHERE snapshot = ?", arguments: [name])
            try Self.dropUndelivered(ids, in: db)
        }
    }

    /// Seeks as a `SeekRequest` asks: to a time or to a snapshot, exactly one of them.
    func seek(subscription: String, _ request: SeekRequest) async throws {
        switch (request.time, request.snapshot.flatMap({ $0.isEmpty ? nil : $0 })) {
        case let (time?, nil): try await seek(subscription: subscription, time: time)
        case let (nil, snapshot?): try await seek(subscription: subscription, snapshot: snapshot)
        default: throw GoogleAPIError.invalidArgument("Exactly one of time and snapshot must be set in the SeekRequest.")
        }
    }

    /// Makes the subscription's backlog the snapshot's messages, all due now with their attempts
    /// counted afresh; what it held besides them counts as acknowledged.
    func seek(subscription: String, snapshot: String) async throws {
        try await store.write { db in
            let topic = try Self.seekableTopic(subscription, in: db)
            guard let snapshotTopic = try String.fetchOne(db, sql: "SELECT topic FROM pubsub_snapshots WHERE name = ?", arguments: [snapshot]) else {
                throw GoogleAPIError.notFound("Resource not found (resource=\(snapshot)).")
            }
            guard snapshotTopic == topic else {
                throw GoogleAPIError.failedPrecondition("The snapshot \(snapshot) was taken of topic \(snapshotTopic), not of the subscription's topic \(topic).")
            }
            let previous = try Int64.fetchAll(db, sql: "SELECT message_id FROM pubsub_deliveries WHERE subscription = ?", arguments: [subscription])
            try db.execute(sql: "DELETE FROM pubsub_deliveries WHERE subscription = ?", arguments: [subscription])
            try db.execute(sql: """
                INSERT INTO pubsub_deliveries(subscription, message_id, next_delivery_us)
                SELECT ?, message_id, ? FROM pubsub_snapshot_messages WHERE snapshot = ?
                """, arguments: [subscription, GoogleTimestamp.now().microseconds, snapshot])
            try Self.dropUndelivered(previous, in: db)
        }
        store.workSignal.notify()
    }

    /// Acknowledges the subscription's messages published before `time` and makes every message
    /// of its topic the emulator still holds from `time` on due again. Acknowledged messages are
    /// not kept (`retainAckedMessages` is stored, not honoured), so seeking back in time restores
    /// only what some subscription or snapshot still holds.
    func seek(subscription: String, time: GoogleTimestamp) async throws {
        try await store.write { db in
            let topic = try Self.seekableTopic(subscription, in: db)
            let now = GoogleTimestamp.now().microseconds
            let before = try Int64.fetchAll(db, sql: """
                SELECT d.message_id FROM pubsub_deliveries d JOIN pubsub_messages m ON m.id = d.message_id
                WHERE d.subscription = ? AND m.publish_time_us < ?
                """, arguments: [subscription, time.microseconds])
            let delete = try db.cachedStatement(sql: "DELETE FROM pubsub_deliveries WHERE subscription = ? AND message_id = ?")
            for id in before { try delete.execute(arguments: [subscription, id]) }
            try db.execute(sql: """
                UPDATE pubsub_deliveries SET in_flight = 0, delivery_attempts = 0, next_delivery_us = ? WHERE subscription = ?
                """, arguments: [now, subscription])
            try db.execute(sql: """
                INSERT OR IGNORE INTO pubsub_deliveries(subscription, message_id, next_delivery_us)
                SELECT ?, id, ? FROM pubsub_messages WHERE topic = ? AND publish_time_us >= ?
                """, arguments: [subscription, now, topic, time.microseconds])
            try Self.dropUndelivered(before, in: db)
        }
        store.workSignal.notify()
    }

    /// The subscription's topic; 404 when the subscription is missing.
    private static func seekableTopic(_ subscription: String, in db: Database) throws -> String {
        guard let topic = try String.fetchOne(db, sql: "SELECT topic FROM pubsub_subscriptions WHERE name = ?", arguments: [subscription]) else {
            throw GoogleAPIError.notFound("Resource not found (resource=\(subscription)).")
        }
        return topic
    }

    /// Deletes snapshots past their `expireTime` and the messages only they held; returns how many
    /// went. The search is a read, so a pass with nothing to expire writes nothing.
    func expireSnapshots(nowMicroseconds now: Int64) async throws -> Int {
        let names = try await store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM pubsub_snapshots WHERE expire_us <= ?", arguments: [now])
        }
        guard !names.isEmpty else { return 0 }
        return try await store.write { db in
            for name in names {
                let ids = try Int64.fetchAll(db, sql: "SELECT message_id FROM pubsub_snapshot_messages WHERE snapshot = ?", arguments: [name])
                try db.execute(sql: "DELETE FROM pubsub_snapshot_messages WHERE snapshot = ?", arguments: [name])
                try db.execute(sql: "DELETE FROM pubsub_snapshots WHERE name = ?", arguments: [name])
                try Self.dropUndelivered(ids, in: db)
            }
            return names.count
        }
    }
}
