import Foundation
import Testing

@testable import Emulator

/// Retry decisions with an explicit clock: no waiting.
@Suite("Delivery: outcomes of an attempt")
struct DeliveryPolicyTests {
    static let schedule = TaskRetrySchedule(minBackoff: .seconds(1), maxBackoff: .seconds(60), maxDoublings: 2, maxAttempts: 4, maxRetryDuration: .zero)
    static let now: Int64 = 1_700_000_000_000_000

    /// A queue's lane with `schedule`, as the engine hands it to the outcome.
    static let queue: DispatchQueueSettings = {
        var settings = DispatchQueueSettings(TasksQueue(name: "projects/p/locations/l/queues/q"))
        settings.retry = schedule
        return settings
    }()

    static func outcome(_ status: Int?, failure: String? = nil, retryAfter: String? = nil, attempt: Int) -> DeliveryOutcome {
        .after(DeliveryResponse(target: "http://h/", status: status, failure: failure, retryAfter: retryAfter), attempt: attempt,
               firstAttemptMicroseconds: now, in: queue, nowMicroseconds: now)
    }

    @Test("2xx completes; anything else retries on the queue's schedule until its attempts are spent", arguments: [
        (200, 1, DeliveryOutcome.delivered),
        (204, 3, .delivered),
        (500, 1, .retry(atMicroseconds: now + 1_000_000)),
        (404, 2, .retry(atMicroseconds: now + 2_000_000)),
        (500, 3, .retry(atMicroseconds: now + 4_000_000)),
        (500, 4, .givenUp),
    ])
    func outcomes(status: Int, attempt: Int, expected: DeliveryOutcome) {
        #expect(Self.outcome(status, attempt: attempt) == expected)
    }

    @Test("Retry-After on 429 and 503 wins when it is longer than the schedule")
    func retryAfter() {
        #expect(Self.outcome(429, retryAfter: "30", attempt: 1) == .retry(atMicroseconds: Self.now + 30_000_000))
        #expect(Self.outcome(503, retryAfter: "0", attempt: 1) == .retry(atMicroseconds: Self.now + 1_000_000))
        #expect(Self.outcome(500, retryAfter: "30", attempt: 1) == .retry(atMicroseconds: Self.now + 1_000_000))
        // 2023-11-14T22:14:20Z is now + 20 s.
        #expect(Self.outcome(503, retryAfter: "Tue, 14 Nov 2023 22:13:40 GMT", attempt: 1) == .retry(atMicroseconds: Self.now + 20_000_000))
    }

    @Test("no response counts as a failed attempt with its reason")
    func noResponse() {
        #expect(Self.outcome(nil, failure: "deadline exceeded", attempt: 1) == .retry(atMicroseconds: Self.now + 1_000_000))
        #expect(DeliveryResponse(target: "", failure: "deadline exceeded").reason == "deadline exceeded")
        #expect(DeliveryResponse(target: "", status: 503).reason == "HTTP status 503")
    }

    @Test("a push subscription acknowledges 102 but not 203, and gives up only under a dead-letter policy")
    func pushAcknowledgement() throws {
        var subscription = Emulator.PubSubSubscription(name: "projects/p/subscriptions/s", pushConfig: .init(pushEndpoint: "http://h/"))
        let plain = try #require(PushSubscriptionSettings(subscription))
        subscription.deadLetterPolicy = .init(deadLetterTopic: "projects/p/topics/dead", maxDeliveryAttempts: 5)
        let dead = try #require(PushSubscriptionSettings(subscription))
        func outcome(_ status: Int, _ attempt: Int, _ lane: PushSubscriptionSettings) -> DeliveryOutcome {
            .after(DeliveryResponse(target: "http://h/", status: status), attempt: attempt, firstAttemptMicroseconds: nil, in: lane, nowMicroseconds: 0)
        }
        #expect(outcome(102, 1, plain) == .delivered)
        #expect(outcome(203, 1, plain) == .retry(atMicroseconds: 10_000_000))
        #expect(outcome(500, 50, plain) == .retry(atMicroseconds: 600_000_000))
        #expect(outcome(500, 4, dead) == .retry(atMicroseconds: 80_000_000))
        #expect(outcome(500, 5, dead) == .givenUp)
    }

    @Test("recent invocations keep the newest, newest first")
    func recentInvocations() async {
        let recent = RecentInvocations(capacity: 3)
        for index in 0..<5 {
            await recent.record(Invocation(kind: .task, source: "q", item: "t\(index)", target: "http://h/", status: 200, latency: .zero, timeMicroseconds: Int64(index)))
        }
        #expect(await recent.snapshot(limit: 10).map(\.item) == ["t4", "t3", "t2"])
        #expect(await recent.snapshot(limit: 1).map(\.item) == ["t4"])
    }
}
