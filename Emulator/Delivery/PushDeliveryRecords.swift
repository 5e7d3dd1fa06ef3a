import Foundation
import GoogleCloud

// The values the delivery engine and the dashboard exchange with `PubSubStore+Delivery`.

/// What the engine needs to know about a push subscription, its lane.
struct PushSubscriptionSettings: DeliveryLane {
    /// Status codes Pub/Sub takes as an acknowledgement.
    static let acknowledging: Set<Int> = [102, 200, 201, 202, 204]

    var name: String
    var endpoint: String
    var ackDeadline: Duration
    var retry: PushRetrySchedule
    /// Set when the subscription has a dead-letter policy.
    var deadLetterTopic: String?
    var maxDeliveryAttempts: Int
    /// Pushes in flight at most (Pub/Sub's flow control).
    var maxOutstanding = 100
    /// `enableMessageOrdering`: a message with an ordering key waits for the earlier ones of its key.
    var ordered: Bool
    /// `pushConfig.oidcToken`: the service account whose ID token each push carries.
    var oidcToken: OIDCToken?

    /// The settings of `subscription`, or nil when it is not a push subscription.
    init?(_ subscription: PubSubSubscription) {
        guard let name = subscription.name, let endpoint = subscription.pushConfig?.pushEndpoint, !endpoint.isEmpty else { return nil }
        self.name = name
        self.endpoint = endpoint
        ordered = subscription.enableMessageOrdering == true
        oidcToken = subscription.pushConfig?.oidcToken
        ackDeadline = .seconds(subscription.ackDeadlineSeconds ?? PubSubStore.defaultAckDeadlineSeconds)
        var retry = PushRetrySchedule()
        if let minimum = subscription.retryPolicy?.minimumBackoff { retry.minimumBackoff = minimum.duration }
        if let maximum = subscription.retryPolicy?.maximumBackoff { retry.maximumBackoff = maximum.duration }
        self.retry = retry
        deadLetterTopic = subscription.deadLetterPolicy?.deadLetterTopic.flatMap { $0.isEmpty ? nil : $0 }
        maxDeliveryAttempts = subscription.deadLetterPolicy?.maxDeliveryAttempts ?? 5
        // Only a dead-letter policy ends the retries: the message then goes to its topic.
        self.retry.maxAttempts = deadLetterTopic == nil ? nil : maxDeliveryAttempts
    }

    var rateLimit: DeliveryRateLimit? { nil }
    var maxConcurrent: Int { maxOutstanding }
    var schedule: PushRetrySchedule { retry }

    func accepts(status: Int) -> Bool { Self.acknowledging.contains(status) }
}

/// A message taken for one push.
struct ClaimedMessage: DeliveryItem {
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

    var origin: String { subscription }
    var label: String { String(messageID) }
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
