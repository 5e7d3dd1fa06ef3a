import Foundation
import FunctionsFramework
import GoogleCloud

/// A topic as Pub/Sub's REST API shows it.
struct PubSubTopic: Codable, Sendable {
    var name: String?
    var labels: [String: String]?
    var messageRetentionDuration: GoogleDuration?
    var kmsKeyName: String?
    var messageStoragePolicy: JSONValue?
    var schemaSettings: JSONValue?
}

/// A subscription: the emulator interprets the topic, ack deadline and retention; the push,
/// retry and dead-letter settings are stored for the push deliverer.
struct PubSubSubscription: Codable, Sendable {
    var name: String?
    var topic: String?
    var pushConfig: PushConfig?
    var ackDeadlineSeconds: Int?
    var retainAckedMessages: Bool?
    var messageRetentionDuration: GoogleDuration?
    var labels: [String: String]?
    var enableMessageOrdering: Bool?
    var expirationPolicy: JSONValue?
    var filter: String?
    var deadLetterPolicy: DeadLetterPolicy?
    var retryPolicy: RetryPolicy?
    var detached: Bool?
    var enableExactlyOnceDelivery: Bool?
    var state: JSONValue?

    /// Where and how to push; empty for pull subscriptions.
    struct PushConfig: Codable, Sendable {
        var pushEndpoint: String?
        var attributes: [String: String]?
        var oidcToken: OIDCToken?
        var pubsubWrapper: JSONValue?
        var noWrapper: JSONValue?
    }

    /// Redelivery backoff for push and nacked messages.
    struct RetryPolicy: Codable, Sendable {
        var minimumBackoff: GoogleDuration?
        var maximumBackoff: GoogleDuration?
    }

    /// Where messages go after `maxDeliveryAttempts`.
    struct DeadLetterPolicy: Codable, Sendable {
        var deadLetterTopic: String?
        var maxDeliveryAttempts: Int?
    }
}

/// One message as published and as delivered.
struct PubSubMessage: Codable, Sendable {
    var data: String?
    var attributes: [String: String]?
    var messageId: String?
    var publishTime: GoogleTimestamp?
    var orderingKey: String?
}

/// `POST …/topics/T:publish` body.
struct PublishRequest: Decodable, Sendable {
    var messages: [PubSubMessage]
}

/// `POST …/subscriptions/S:pull` body.
struct PullRequest: Decodable, Sendable {
    var maxMessages: Int?
    var returnImmediately: Bool?
}

/// `POST …/subscriptions/S:acknowledge` body.
struct AcknowledgeRequest: Decodable, Sendable {
    var ackIds: [String]
}

/// `POST …/subscriptions/S:modifyAckDeadline` body. A nack is a deadline of 0, which protobuf
/// JSON leaves out, so a missing `ackDeadlineSeconds` is 0.
struct ModifyAckDeadlineRequest: Decodable, Sendable {
    var ackIds: [String]
    var ackDeadlineSeconds: Int?
}

/// `PATCH …/topics/T` body.
struct UpdateTopicRequest: Decodable, Sendable {
    var topic: PubSubTopic
    var updateMask: String?
}

/// `PATCH …/subscriptions/S` body.
struct UpdateSubscriptionRequest: Decodable, Sendable {
    var subscription: PubSubSubscription
    var updateMask: String?
}

/// `POST …/subscriptions/S:modifyPushConfig` body; an empty or missing config makes it a pull subscription.
struct ModifyPushConfigRequest: Decodable, Sendable {
    var pushConfig: PubSubSubscription.PushConfig?
}

/// `POST …/subscriptions/S:seek` body: exactly one of `time` and `snapshot`.
struct SeekRequest: Decodable, Sendable {
    var time: GoogleTimestamp?
    var snapshot: String?
}

/// A message handed out by `:pull`.
struct ReceivedMessage: Encodable, Sendable {
    var ackId: String
    var message: PubSubMessage
    var deliveryAttempt: Int?
}
