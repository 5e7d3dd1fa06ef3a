import Foundation
import FunctionsFramework
import GoogleCloud
import GRDB

/// Topics, subscriptions and messages in SQLite. A published message is stored once and
/// fanned out as one delivery row per subscription; a delivery row is the per-subscription
/// message state (attempts, next delivery time) that pull and, later, push work from. A message
/// row goes when its last delivery is acknowledged or expires.
struct PubSubStore: Sendable {
    let store: EmulatorStore

    /// Messages stay this long unless the subscription says otherwise (Pub/Sub's default).
    static let defaultRetention = GoogleDuration.seconds(7 * 24 * 3600)
    /// Pub/Sub's default ack deadline.
    static let defaultAckDeadlineSeconds = 10
    /// The topic a subscription shows once its topic was deleted.
    static let deletedTopic = "_deleted-topic_"

    static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-pubsub") { db in
            try db.execute(sql: """
                CREATE TABLE pubsub_topics (name TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE pubsub_subscriptions (
                    name TEXT PRIMARY KEY, topic TEXT NOT NULL, body TEXT NOT NULL,
                    ack_deadline_seconds INTEGER NOT NULL, retention_us INTEGER NOT NULL) WITHOUT ROWID;
                CREATE INDEX pubsub_subscriptions_topic ON pubsub_subscriptions(topic);
                CREATE TABLE pubsub_messages (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, data BLOB NOT NULL,
                    attributes TEXT, ordering_key TEXT, publish_time_us INTEGER NOT NULL);
                CREATE TABLE pubsub_deliveries (
                    subscription TEXT NOT NULL, message_id INTEGER NOT NULL,
                    delivery_attempts INTEGER NOT NULL DEFAULT 0,
                    next_delivery_us INTEGER NOT NULL,
                    PRIMARY KEY (subscription, message_id)) WITHOUT ROWID;
                CREATE INDEX pubsub_deliveries_due ON pubsub_deliveries(subscription, next_delivery_us);
                CREATE INDEX pubsub_deliveries_message ON pubsub_deliveries(message_id);
                """)
        }
        registerDeliveryMigrations(in: &migrator)
        registerSnapshotMigrations(in: &migrator)
    }

    // MARK: Topics

    func createTopic(name: String, body: PubSubTopic) async throws -> PubSubTopic {
        var created = body
        created.name = name
        let topic = created
        let text = try StoredJSON.encode(topic)
        return try await store.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM pubsub_topics WHERE name = ?", arguments: [name]) == true {
                throw GoogleAPIError.alreadyExists("Resource already exists in the project (resource=\(name)).")
            }
            try db.execute(sql: "INSERT INTO pubsub_topics(name, body) VALUES (?, ?)", arguments: [name, text])
            return topic
        }
    }

    func topic(name: String) async throws -> PubSubTopic {
        try await store.read { db in
            guard let text = try String.fetchOne(db, sql: "SELECT body FROM pubsub_topics WHERE name = ?", arguments: [name]) else {
                throw GoogleAPIError.notFound("Resource not found (resource=\(name)).")
            }
            return try StoredJSON.decode(PubSubTopic.self, from: text)
        }
    }

    func listTopics(project: String, pageSize: Int, after: String?) async throws -> (topics: [PubSubTopic], next: String?) {
        let prefix = "projects/\(project)/topics/"
        return try await store.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT name, body FROM pubsub_topics WHERE name >= ? AND name < ? AND name > ? ORDER BY name LIMIT ?
                """, arguments: [prefix, prefix + "\u{10FFFF}", after ?? "", pageSize + 1])
            let page = try rows.prefix(pageSize).map { try StoredJSON.decode(PubSubTopic.self, from: $0["body"]) }
            return (page, rows.count > pageSize ? page.last?.name : nil)
        }
    }

    func deleteTopic(name: String) async throws {
        try await store.write { db in
            try db.execute(sql: "DELETE FROM pubsub_topics WHERE name = ?", arguments: [name])
            guard db.changesCount > 0 else { throw GoogleAPIError.notFound("Resource not found (resource=\(name)).") }
            try db.execute(sql: "UPDATE pubsub_subscriptions SET topic = ? WHERE topic = ?", arguments: [Self.deletedTopic, name])
        }
    }

    func subscriptionNames(topic: String) async throws -> [String] {
        try await store.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM pubsub_topics WHERE name = ?", arguments: [topic]) == true else {
                throw GoogleAPIError.notFound("Resource not found (resource=\(topic)).")
            }
            return try String.fetchAll(db, sql: "SELECT name FROM pubsub_subscriptions WHERE topic = ? ORDER BY name", arguments: [topic])
        }
    }

    // MARK: Publishing

    /// Stores `messages` and fans them out to the topic's subscriptions; returns their ids.
    func publish(topic: String, messages: [(data: Data, attributes: [String: String]?, orderingKey: String?)]) async throws -> [String] {
        let attributeTexts = try messages.map { message in try message.attributes.flatMap { $0.isEmpty ? nil : try StoredJSON.encode($0) } }
        let ids = try await store.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM pubsub_topics WHERE name = ?", arguments: [topic]) == true else {
                throw GoogleAPIError.notFound("Resource not found (resource=\(topic)).")
            }
            return try Self.insertMessages(topic: topic, messages: messages.enumerated().map { index, message in
                (message.data, attributeTexts[index], message.orderingKey)
            }, in: db)
        }
        store.workSignal.notify()
        return ids
    }

    /// Stores messages (attributes already as stored JSON) and fans them out to the topic's
    /// subscriptions, inside the caller's transaction; returns their ids.
    static func insertMessages(topic: String, messages: [(data: Data, attributes: String?, orderingKey: String?)], in db: Database) throws -> [String] {
        let subscriptions = try String.fetchAll(db, sql: "SELECT name FROM pubsub_subscriptions WHERE topic = ?", arguments: [topic])
        // A snapshot holds every message published to its topic after it was taken.
        let snapshots = try String.fetchAll(db, sql: "SELECT name FROM pubsub_snapshots WHERE topic = ?", arguments: [topic])
        let insertSnapshotMessage = try db.cachedStatement(sql: "INSERT OR IGNORE INTO pubsub_snapshot_messages(snapshot, message_id) VALUES (?, ?)")
        let now = GoogleTimestamp.now().microseconds
        let insertMessage = try db.cachedStatement(sql: """
            INSERT INTO pubsub_messages(topic, data, attributes, ordering_key, publish_time_us) VALUES (?, ?, ?, ?, ?)
            """)
        let insertDelivery = try db.cachedStatement(sql: """
            INSERT INTO pubsub_deliveries(subscription, message_id, next_delivery_us) VALUES (?, ?, ?)
            """)
        var ids: [String] = []
        ids.reserveCapacity(messages.count)
        for message in messages {
            let key = message.orderingKey.flatMap { $0.isEmpty ? nil : $0 }
            try insertMessage.execute(arguments: [topic, message.data, message.attributes, key, now])
            let id = db.lastInsertedRowID
            for subscription in subscriptions {
                try insertDelivery.execute(arguments: [subscription, id, now])
            }
            for snapshot in snapshots {
                try insertSnapshotMessage.execute(arguments: [snapshot, id])
            }
            ids.append(String(id))
        }
        if subscriptions.isEmpty && snapshots.isEmpty {
            // Pub/Sub keeps nothing for a topic without subscriptions; ids stay unique through AUTOINCREMENT.
            try db.execute(sql: "DELETE FROM pubsub_messages WHERE topic = ? AND id >= ?", arguments: [topic, Int64(ids.first ?? "0") ?? 0])
        }
        return ids
    }

    // MARK: Subscriptions

    func createSubscription(name: String, body: PubSubSubscription) async throws -> PubSubSubscription {
        var subscription = body
        subscription.name = name
        guard let topic = subscription.topic, !topic.isEmpty else {
            throw GoogleAPIError.invalidArgument("Invalid resource name given (name=\(subscription.topic ?? "")); the subscription's topic is required.")
        }
        let stored = try Self.validated(subscription)
        let text = try StoredJSON.encode(stored)
        let retention = stored.messageRetentionDuration?.nanoseconds ?? Self.defaultRetention.nanoseconds
        return try await store.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM pubsub_topics WHERE name = ?", arguments: [topic]) == true else {
                throw GoogleAPIError.notFound("Resource not found (resource=\(topic)).")
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM pubsub_subscriptions WHERE name = ?", arguments: [name]) == true {
                throw GoogleAPIError.alreadyExists("Resource already exists in the project (resource=\(name)).")
            }
            try db.execute(sql: """
                INSERT INTO pubsub_subscriptions(name, topic, body, ack_deadline_seconds, retention_us) VALUES (?, ?, ?, ?, ?)
                """, arguments: [name, topic, text, stored.ackDeadlineSeconds, retention / 1_000])
            return stored
        }
    }

    /// `subscription` with Pub/Sub's defaults filled in; throws naming a setting out of range.
    static func validated(_ body: PubSubSubscription) throws -> PubSubSubscription {
        var subscription = body
        let ackDeadline = subscription.ackDeadlineSeconds ?? 0
        guard ackDeadline == 0 || (10...600).contains(ackDeadline) else {
            throw GoogleAPIError.invalidArgument("Invalid ackDeadlineSeconds \(ackDeadline); it must be between 10 and 600.")
        }
        subscription.ackDeadlineSeconds = ackDeadline == 0 ? Self.defaultAckDeadlineSeconds : ackDeadline
        subscription.messageRetentionDuration = subscription.messageRetentionDuration ?? Self.defaultRetention
        if subscription.pushConfig == nil { subscription.pushConfig = .init() }
        for (key, value) in [("minimumBackoff", subscription.retryPolicy?.minimumBackoff), ("maximumBackoff", subscription.retryPolicy?.maximumBackoff)] {
            if let value, !(0...600_000_000_000).contains(value.nanoseconds) {
                throw GoogleAPIError.invalidArgument("Invalid retryPolicy.\(key) \(value.text); it must be between 0s and 600s.")
            }
        }
        if let attempts = subscription.deadLetterPolicy?.maxDeliveryAttempts, !(5...100).contains(attempts) {
            throw GoogleAPIError.invalidArgument("Invalid deadLetterPolicy.maxDeliveryAttempts \(attempts); it must be between 5 and 100.")
        }
        if subscription.deadLetterPolicy != nil, subscription.deadLetterPolicy?.maxDeliveryAttempts == nil {
            subscription.deadLetterPolicy?.maxDeliveryAttempts = 5
        }
        if let oidc = subscription.pushConfig?.oidcToken, (oidc.serviceAccountEmail ?? "").isEmpty {
            throw GoogleAPIError.invalidArgument("Invalid pushConfig.oidcToken: serviceAccountEmail is required.")
        }
        if let endpoint = subscription.pushConfig?.pushEndpoint, !endpoint.isEmpty {
            guard let url = URLComponents(string: endpoint), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false else {
                throw GoogleAPIError.invalidArgument("Invalid push endpoint given (endpoint=\(endpoint)); it must be an absolute http or https URL.")
            }
        }
        return subscription
    }

    func subscription(name: String) async throws -> PubSubSubscription {
        try await store.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT topic, body FROM pubsub_subscriptions WHERE name = ?", arguments: [name]) else {
                throw GoogleAPIError.notFound("Resource not found (resource=\(name)).")
            }
            var subscription = try StoredJSON.decode(PubSubSubscription.self, from: row["body"])
            subscription.topic = row["topic"]
            return subscription
        }
    }

    /// Every subscription of every project, by name, with its topic.
    func allSubscriptions() async throws -> [PubSubSubscription] {
        try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT name, topic, body FROM pubsub_subscriptions ORDER BY name").map { row in
                var subscription = try StoredJSON.decode(PubSubSubscription.self, from: row["body"])
                subscription.name = row["name"]
                subscription.topic = row["topic"]
                return subscription
            }
        }
    }

    func listSubscriptions(project: String, pageSize: Int, after: String?) async throws -> (subscriptions: [PubSubSubscription], next: String?) {
        let prefix = "projects/\(project)/subscriptions/"
        return try await store.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT topic, body FROM pubsub_subscriptions WHERE name >= ? AND name < ? AND name > ? ORDER BY name LIMIT ?
                """, arguments: [prefix, prefix + "\u{10FFFF}", after ?? "", pageSize + 1])
            let page = try rows.prefix(pageSize).map { row in
                var subscription = try StoredJSON.decode(PubSubSubscription.self, from: row["body"])
                subscription.topic = row["topic"]
                return subscription
            }
            return (page, rows.count > pageSize ? page.last?.name : nil)
        }
    }

    func deleteSubscription(name: String) async throws {
        try await store.write { db in
            try db.execute(sql: "DELETE FROM pubsub_subscriptions WHERE name = ?", arguments: [name])
            guard db.changesCount > 0 else { throw GoogleAPIError.notFound("Resource not found (resource=\(name)).") }
            let ids = try Int64.fetchAll(db, sql: "SELECT message_id FROM pubsub_deliveries WHERE subscription = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM pubsub_deliveries WHERE subscription = ?", arguments: [name])
            try Self.dropUndelivered(ids, in: db)
        }
    }

    // MARK: Pull and acknowledgement

    /// Up to `limit` messages of `subscription` due at `now`, soonest first, with their delivery
    /// attempts so far: what a pull leases and what push delivery claims.
    /// With `ordered` (the subscription's `enableMessageOrdering`), a message with an ordering key
    /// is due only once every earlier message of its key has been acknowledged here, so each key's
    /// messages go out one at a time in publish order.
    static func dueDeliveries(subscription: String, ordered: Bool = false, nowMicroseconds now: Int64, limit: Int, in db: Database) throws -> [Row] {
        try Row.fetchAll(db, sql: """
            SELECT d.message_id, d.delivery_attempts, m.data, m.attributes, m.ordering_key, m.publish_time_us
            FROM pubsub_deliveries d JOIN pubsub_messages m ON m.id = d.message_id
            WHERE d.subscription = ? AND d.next_delivery_us <= ? \(ordered ? Self.headOfItsKey : "")
            ORDER BY d.next_delivery_us, d.message_id LIMIT ?
            """, arguments: [subscription, now, limit])
    }

    /// The condition on `d` (a delivery) and `m` (its message) that no earlier message of the
    /// same ordering key is still to be acknowledged on the same subscription.
    static let headOfItsKey = """
        AND (m.ordering_key IS NULL OR NOT EXISTS (
            SELECT 1 FROM pubsub_deliveries e JOIN pubsub_messages n ON n.id = e.message_id
            WHERE e.subscription = d.subscription AND e.message_id < d.message_id AND n.ordering_key = m.ordering_key))
        """

    /// Leases up to `maxMessages` due messages for the subscription's ack deadline, as REST's
    /// `:pull` shows them; `lease` has the rules.
    func pull(subscription name: String, maxMessages: Int) async throws -> [ReceivedMessage] {
        try await lease(subscription: name, maxMessages: maxMessages).messages.map(\.received)
    }

    /// Removes the acknowledged messages' deliveries; unknown or stale ack ids are ignored, as
    /// Pub/Sub does.
    func acknowledge(subscription name: String, ackIDs: [AckID]) async throws {
        try await store.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM pubsub_subscriptions WHERE name = ?", arguments: [name]) == true else {
                throw GoogleAPIError.notFound("Resource not found (resource=\(name)).")
            }
            let delete = try db.cachedStatement(sql: "DELETE FROM pubsub_deliveries WHERE subscription = ? AND message_id = ?")
            for ackID in ackIDs { try delete.execute(arguments: [name, ackID.messageID]) }
            try Self.dropUndelivered(ackIDs.map(\.messageID), in: db)
        }
        // An ack frees a place under a stream's flow control and lets an ordering key's next message go.
        store.workSignal.notify()
    }

    /// Moves the messages' next delivery to `seconds` from now (0, a nack: available again at once).
    func modifyAckDeadline(subscription name: String, ackIDs: [AckID], seconds: Int) async throws {
        guard (0...600).contains(seconds) else {
            throw GoogleAPIError.invalidArgument("Invalid ackDeadlineSeconds \(seconds); it must be between 0 and 600.")
        }
        try await store.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM pubsub_subscriptions WHERE name = ?", arguments: [name]) == true else {
                throw GoogleAPIError.notFound("Resource not found (resource=\(name)).")
            }
            let next = GoogleTimestamp.now().microseconds + Int64(seconds) * 1_000_000
            let update = try db.cachedStatement(sql: "UPDATE pubsub_deliveries SET next_delivery_us = ? WHERE subscription = ? AND message_id = ?")
            for ackID in ackIDs { try update.execute(arguments: [next, name, ackID.messageID]) }
        }
        if seconds == 0 { store.workSignal.notify() }
    }

    /// Drops deliveries of messages published before `cutoff` (retention expired).
    static func expire(subscription: String, before cutoff: Int64, in db: Database) throws {
        let expired = try Int64.fetchAll(db, sql: """
            SELECT d.message_id FROM pubsub_deliveries d JOIN pubsub_messages m ON m.id = d.message_id
            WHERE d.subscription = ? AND m.publish_time_us < ?
            """, arguments: [subscription, cutoff])
        guard !expired.isEmpty else { return }
        let delete = try db.cachedStatement(sql: "DELETE FROM pubsub_deliveries WHERE subscription = ? AND message_id = ?")
        for id in expired { try delete.execute(arguments: [subscription, id]) }
        try dropUndelivered(expired, in: db)
    }

    /// Deletes those of `ids` that no subscription still has to deliver and no snapshot holds.
    static func dropUndelivered(_ ids: [Int64], in db: Database) throws {
        let delete = try db.cachedStatement(sql: """
            DELETE FROM pubsub_messages WHERE id = ? AND NOT EXISTS (SELECT 1 FROM pubsub_deliveries WHERE message_id = ?)
              AND NOT EXISTS (SELECT 1 FROM pubsub_snapshot_messages WHERE message_id = ?)
            """)
        for id in ids { try delete.execute(arguments: [id, id, id]) }
    }
}

/// An ack id: the message and the delivery attempt it was handed out with (`"42-3"`).
struct AckID: Sendable, Equatable {
    var messageID: Int64
    var attempt: Int

    var text: String { "\(messageID)-\(attempt)" }

    init(messageID: Int64, attempt: Int) {
        self.messageID = messageID
        self.attempt = attempt
    }

    /// Parses an ack id; nil when it was not made by this emulator.
    init?(text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let id = Int64(parts[0]), let attempt = Int(parts[1]) else { return nil }
        self.init(messageID: id, attempt: attempt)
    }

    /// Parses the ack ids of a request; 400 naming the first that was not made here.
    static func parse(_ texts: [String]) throws -> [AckID] {
        try texts.map { text in
            guard let ackID = AckID(text: text) else { throw GoogleAPIError.invalidArgument("Invalid ack ID \"\(text)\".") }
            return ackID
        }
    }
}
