/// Pub/Sub push as a delivery source: every subscription with a push endpoint is a lane; an
/// acknowledging answer deletes the delivery, a nack brings the message back after the
/// `retryPolicy` backoff, and with a dead-letter policy the last nack forwards it to the
/// dead-letter topic. The SQL lives in `PubSubStore+Delivery`.
struct PushDeliverySource: DeliverySource {
    let pubsub: PubSubStore
    /// Pushes in flight per subscription at most (Pub/Sub's flow control).
    var maxOutstanding = 100

    var kind: Invocation.Kind { .push }

    func releaseInFlight(nowMicroseconds now: Int64) async throws -> Int {
        try await pubsub.releaseInFlightPushes(nowMicroseconds: now)
    }

    func lanes() async throws -> [PushSubscriptionSettings] {
        try await pubsub.pushSubscriptions().map { settings in
            var settings = settings
            settings.maxOutstanding = maxOutstanding
            return settings
        }
    }

    func nextDue(in subscription: PushSubscriptionSettings) async throws -> Int64? {
        try await pubsub.nextDuePush(subscription: subscription.name, ordered: subscription.ordered)
    }

    func claimDue(in subscription: PushSubscriptionSettings, limit: Int, nowMicroseconds now: Int64) async throws -> [ClaimedMessage] {
        try await pubsub.claimDuePushes(subscription: subscription.name, ordered: subscription.ordered, limit: limit,
                                        ackDeadline: subscription.ackDeadline, nowMicroseconds: now)
    }

    func record(_ outcome: DeliveryOutcome, of message: ClaimedMessage, in subscription: PushSubscriptionSettings,
                response: DeliveryResponse, nowMicroseconds: Int64) async throws {
        let stored: PushOutcome
        switch outcome {
        case .delivered: stored = .acknowledged
        case let .retry(at): stored = .retry(atMicroseconds: at, status: response.status)
        // Given up only under a dead-letter policy, so the topic is there.
        case .givenUp: stored = .deadLetter(topic: subscription.deadLetterTopic ?? "", status: response.status)
        }
        try await pubsub.finishPush(subscription: subscription.name, messageID: message.messageID, attempt: message.attempt, outcome: stored)
    }
}
