import Foundation
import GoogleCloud
import GRDB

/// Leasing messages to pull subscribers, for both transports: REST `:pull`, gRPC `Pull` and each
/// gRPC `StreamingPull` stream take the same leases, so one ack or nack means the same on all.
/// A lease is the delivery's `next_delivery_us` moved to the end of the ack deadline with the
/// attempt counted; the message is due again when that passes unless it was acknowledged.
extension PubSubStore {
    /// What a lease handed out, and the subscription settings the transports show with it.
    struct LeaseBatch: Sendable {
        var messages: [LeasedMessage]
        var messageOrdering: Bool
        var exactlyOnceDelivery: Bool
    }

    /// Leases up to `maxMessages` due messages, soonest first (a key's next only once its
    /// previous is acknowledged, with message ordering), each for `ackDeadlineSeconds` (the
    /// subscription's when nil). With `byteBudget`, stops before the message that would take the
    /// leased bytes over it, except a first one when `oversizedFirst` (so a message larger than
    /// a stream's budget still goes out once nothing else is outstanding).
    func lease(subscription name: String, maxMessages: Int, ackDeadlineSeconds: Int? = nil,
               byteBudget: Int? = nil, oversizedFirst: Bool = true) async throws -> LeaseBatch {
        try await store.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT body, ack_deadline_seconds, retention_us FROM pubsub_subscriptions WHERE name = ?", arguments: [name]) else {
                throw GoogleAPIError.notFound("Resource not found (resource=\(name)).")
            }
            let subscription = try StoredJSON.decode(PubSubSubscription.self, from: row["body"])
            if subscription.detached == true {
                throw GoogleAPIError.failedPrecondition("The subscription is detached from its topic (resource=\(name)).")
            }
            let ackDeadline = Int64(ackDeadlineSeconds ?? row["ack_deadline_seconds"])
            let retention: Int64 = row["retention_us"]
            let now = GoogleTimestamp.now().microseconds
            try Self.expire(subscription: name, before: now - retention, in: db)
            let ordered = subscription.enableMessageOrdering == true
            let due = try Self.dueDeliveries(subscription: name, ordered: ordered, nowMicroseconds: now, limit: maxMessages, in: db)
            let lease = try db.cachedStatement(sql: """
                UPDATE pubsub_deliveries SET delivery_attempts = delivery_attempts + 1, next_delivery_us = ? WHERE subscription = ? AND message_id = ?
                """)
            let leaseEnd = now + ackDeadline * 1_000_000
            var leased: [LeasedMessage] = []
            leased.reserveCapacity(due.count)
            var bytes = 0
            for row in due {
                let attributes = try (row["attributes"] as String?).map { try StoredJSON.decode([String: String].self, from: $0) }
                let data: Data = row["data"]
                let orderingKey: String? = row["ordering_key"]
                let size = LeasedMessage.size(data: data, attributes: attributes, orderingKey: orderingKey)
                if let byteBudget, bytes + size > byteBudget, !(leased.isEmpty && oversizedFirst) { break }
                bytes += size
                let id: Int64 = row["message_id"]
                let attempt: Int = row["delivery_attempts"] + 1
                try lease.execute(arguments: [leaseEnd, name, id])
                leased.append(LeasedMessage(
                    ackID: AckID(messageID: id, attempt: attempt), data: data, attributes: attributes, orderingKey: orderingKey,
                    publishTime: GoogleTimestamp(microseconds: row["publish_time_us"]),
                    deliveryAttempt: subscription.deadLetterPolicy == nil ? nil : attempt,
                    leaseEndMicroseconds: leaseEnd, size: size
                ))
            }
            return LeaseBatch(messages: leased, messageOrdering: ordered, exactlyOnceDelivery: subscription.enableExactlyOnceDelivery == true)
        }
    }

    /// Of `leases`, those the store still holds leased to that very attempt, with their lease
    /// ends: gone are the acknowledged (on any transport), the nacked, the expired and the ones
    /// redelivered since. A stream counts its outstanding messages with this.
    func stillLeased(subscription name: String, _ leases: [AckID]) async throws -> [Int64: Int64] {
        guard !leases.isEmpty else { return [:] }
        let now = GoogleTimestamp.now().microseconds
        return try await store.read { db in
            var held: [Int64: Int64] = [:]
            // SQLite allows 32,766 bound parameters; a stream holds at most a few thousand leases.
            for chunk in stride(from: 0, to: leases.count, by: 10_000).map({ leases[$0..<min($0 + 10_000, leases.count)] }) {
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchAll(db, sql: """
                    SELECT message_id, delivery_attempts, next_delivery_us FROM pubsub_deliveries
                    WHERE subscription = ? AND message_id IN (\(placeholders))
                    """, arguments: StatementArguments([name as any DatabaseValueConvertible] + chunk.map { $0.messageID as any DatabaseValueConvertible }))
                let attempts = Dictionary(chunk.map { ($0.messageID, $0.attempt) }, uniquingKeysWith: max)
                for row in rows {
                    let id: Int64 = row["message_id"]
                    let end: Int64 = row["next_delivery_us"]
                    if attempts[id] == row["delivery_attempts"], end > now { held[id] = end }
                }
            }
            return held
        }
    }

    /// Validates a pull request's `maxMessages` and leases for the subscription's ack deadline:
    /// what REST `:pull` and gRPC `Pull` both answer.
    func pull(subscription name: String, requested: Int?) async throws -> LeaseBatch {
        let maxMessages = requested ?? 0
        guard maxMessages > 0 else { throw GoogleAPIError.invalidArgument("maxMessages must be greater than 0 (got \(maxMessages)).") }
        return try await lease(subscription: name, maxMessages: min(maxMessages, 1000))
    }
}

/// One message leased to a puller: the ack id names the message and the attempt.
struct LeasedMessage: Sendable {
    var ackID: AckID
    var data: Data
    var attributes: [String: String]?
    var orderingKey: String?
    var publishTime: GoogleTimestamp
    /// Set only when the subscription has a dead-letter policy, as Pub/Sub does.
    var deliveryAttempt: Int?
    var leaseEndMicroseconds: Int64
    /// What counts against a stream's `max_outstanding_bytes`.
    var size: Int

    /// Data, attribute keys and values, and the ordering key: the size Pub/Sub's limits count.
    static func size(data: Data, attributes: [String: String]?, orderingKey: String?) -> Int {
        var size = data.count + (orderingKey?.utf8.count ?? 0)
        for (key, value) in attributes ?? [:] { size += key.utf8.count + value.utf8.count }
        return size
    }

    /// As REST's `:pull` shows it.
    var received: ReceivedMessage {
        ReceivedMessage(
            ackId: ackID.text,
            message: PubSubMessage(data: data.base64EncodedString(), attributes: attributes, messageId: String(ackID.messageID),
                                   publishTime: publishTime, orderingKey: orderingKey),
            deliveryAttempt: deliveryAttempt
        )
    }
}
