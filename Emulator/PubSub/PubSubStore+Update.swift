import Foundation
import GoogleCloud
import GRDB

/// `UpdateTopic`, `UpdateSubscription` (`gcloud pubsub … update`) and `ModifyPushConfig`: the
/// fields an update mask names are copied from the request onto the stored resource, which is
/// validated again as on creation.
extension PubSubStore {
    /// The topic fields an update mask may name.
    static let updatableTopicFields: Set<String> = ["labels", "messageRetentionDuration", "messageStoragePolicy", "kmsKeyName", "schemaSettings"]
    /// The subscription fields an update mask may name (`topic`, `filter` and
    /// `enableMessageOrdering` are fixed at creation, as in Pub/Sub).
    static let updatableSubscriptionFields: Set<String> = [
        "pushConfig", "ackDeadlineSeconds", "retainAckedMessages", "messageRetentionDuration", "labels", "expirationPolicy",
        "deadLetterPolicy", "retryPolicy", "detached", "enableExactlyOnceDelivery",
    ]

    func updateTopic(name: String, patch: PubSubTopic, mask: UpdateMask) async throws -> PubSubTopic {
        guard !mask.isEmpty else { throw GoogleAPIError.invalidArgument("The update_mask in the UpdateTopicRequest must be set.") }
        try mask.check(allowed: Self.updatableTopicFields, request: "UpdateTopicRequest", resource: "Topic")
        return try await store.write { db in
            guard let text = try String.fetchOne(db, sql: "SELECT body FROM pubsub_topics WHERE name = ?", arguments: [name]) else {
                throw GoogleAPIError.notFound("Resource not found (resource=\(name)).")
            }
            var updated = try mask.apply(patch, to: try StoredJSON.decode(PubSubTopic.self, from: text))
            updated.name = name
            try db.execute(sql: "UPDATE pubsub_topics SET body = ? WHERE name = ?", arguments: [try StoredJSON.encode(updated), name])
            return updated
        }
    }

    func updateSubscription(name: String, patch: PubSubSubscription, mask: UpdateMask) async throws -> PubSubSubscription {
        guard !mask.isEmpty else { throw GoogleAPIError.invalidArgument("The update_mask in the UpdateSubscriptionRequest must be set.") }
        try mask.check(allowed: Self.updatableSubscriptionFields, request: "UpdateSubscriptionRequest", resource: "Subscription")
        let updated = try await rewriteSubscription(name: name) { current in try mask.apply(patch, to: current) }
        store.workSignal.notify()
        return updated
    }

    /// Sets the subscription's push configuration; an empty one makes it a pull subscription.
    func modifyPushConfig(subscription name: String, pushConfig: PubSubSubscription.PushConfig?) async throws {
        _ = try await rewriteSubscription(name: name) { current in
            var subscription = current
            subscription.pushConfig = pushConfig ?? .init()
            return subscription
        }
        store.workSignal.notify()
    }

    /// Reads, changes, validates and stores a subscription in one transaction, keeping the
    /// columns that mirror its body (ack deadline, retention) in step.
    private func rewriteSubscription(name: String, _ change: @escaping @Sendable (PubSubSubscription) throws -> PubSubSubscription) async throws -> PubSubSubscription {
        try await store.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT topic, body FROM pubsub_subscriptions WHERE name = ?", arguments: [name]) else {
                throw GoogleAPIError.notFound("Resource not found (resource=\(name)).")
            }
            let current = try StoredJSON.decode(PubSubSubscription.self, from: row["body"])
            var changed = try change(current)
            changed.name = name
            changed.topic = current.topic
            changed.filter = current.filter
            changed.enableMessageOrdering = current.enableMessageOrdering
            let stored = try Self.validated(changed)
            let retention = stored.messageRetentionDuration?.nanoseconds ?? Self.defaultRetention.nanoseconds
            try db.execute(sql: "UPDATE pubsub_subscriptions SET body = ?, ack_deadline_seconds = ?, retention_us = ? WHERE name = ?",
                           arguments: [try StoredJSON.encode(stored), stored.ackDeadlineSeconds, retention / 1_000, name])
            var shown = stored
            shown.topic = row["topic"]
            return shown
        }
    }
}
