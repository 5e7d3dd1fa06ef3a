import Foundation
import GoogleCloud

// The values the push deliverer and the dashboard exchange with `PubSubStore+Push`.

/// What the push deliverer needs to know about a push subscription.
struct PushSubscriptionSettings: Sendable, Equatable {
    var name: String
    var endpoint: String
    var ackDeadline: Duration
    var retry: PushRetrySchedule
    /// Set when the subscription has a dead-letter policy.
    var deadLetterTopic: String?
    var maxDeliveryAttempts: Int

    /// The settings of `subscription`, or nil when it is not a push subscription.
    init?(_ subscription: PubSubSubscription) {
        guard let name = subscription.name, let endpoint = subscription.pushConfig?.pushEndpoint, !endpoint.isEmpty else { return nil }
        self.name = name
        self.endpoint = endpoint
        ackDeadline = .seconds(subscription.ackDeadlineSeconds ?? PubSubStore.defaultAckDeadlineSeconds)
        var retry = PushRetrySchedule()
        if let minimum = subscription.retryPolicy?.minimumBackoff { retry.minimumBackoff = minimum.duration }
        if let maximum = subscription.retryPolicy?.maximumBackoff { retry.maximumBackoff = maximum.duration }
        self.retry = retry
        deadLetterTopic = subscription.deadLetterPolicy?.deadLetterTopic.flatMap { $0.isEmpty ? nil : $0 }
        maxDeliveryAttempts = subscription.deadLetterPolicy?.maxDeliveryAttempts ?? 5
    }
}

/// A message taken for one push.
struct ClaimedMessage: Sendable {
    var subscription: String
    var messageID: Int64
    var data: Data
    var attributes: [String: String]?
    var orderingKey: String?
    var publishTime: GoogleTimestamp
    /// This delivery's attempt number (1 for the first).
    var attempt: Int
    /// When its lease lapses (wall-clock microseconds): after that it is pushed again.
    var leaseEndMicroseconds: Int64
}

/// How one push ended, as the store records it.
enum PushOutcome: Sendable, Equatable {
    /// Acknowledged: the delivery row goes.
    case acknowledged
    /// Nacked: deliver again at `microseconds`.
    case retry(atMicroseconds: Int64, status: Int?)
    /// Attempts spent: publish to `topic` with the original data and attributes, then ack here.
    case deadLetter(topic: String, status: Int?)
}

/// Per-subscription counters for the dashboard.
struct SubscriptionDeliveryStats: Sendable, Equatable {
    var subscription: String
    /// Messages not yet acknowledged, in flight ones included.
    var backlog: Int
    var inFlight: Int
    /// Messages forwarded to the dead-letter topic.
    var deadLettered: Int
}
