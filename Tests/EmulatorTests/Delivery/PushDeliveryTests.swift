import Foundation
import GoogleCloud
import PipelineModel
import PixelPipeCore
import Testing
import TestSupport

@testable import Emulator

/// The push deliverer against live endpoints: envelopes, acknowledgement, dead-lettering.
@Suite("Delivery: Pub/Sub push")
struct PushDeliveryTests {
    static let topic = "projects/demo/topics/images"
    static let deadLetterTopic = "projects/demo/topics/images-dead"

    @Test("a 204 acknowledges; the envelope carries data, attributes and both id spellings", .timeLimit(.minutes(1)))
    func acknowledges() async throws {
        try await DeliveryHarness.withStore { store in
            let pubsub = PubSubStore(store: store)
            _ = try await pubsub.createTopic(name: Self.topic, body: .init())
            let handler = TestHandler()
            try await handler.run(respond: { _, _ in (204, [:]) }) { url in
                var subscription = Emulator.PubSubSubscription(topic: Self.topic)
                subscription.pushConfig = .init(pushEndpoint: url)
                _ = try await pubsub.createSubscription(name: "projects/demo/subscriptions/push", body: subscription)
                let deliverer = PushDeliverer(store: store, client: HTTPClient(), logger: DeliveryHarness.logger)
                try await DeliveryHarness.running(deliverer) {
                    _ = try await pubsub.publish(topic: Self.topic, messages: [(Data("hi".utf8), ["k": "v"], nil)])
                    try await DeliveryHarness.eventually("the message to be acknowledged") {
                        try await pubsub.subscriptionStats().first?.backlog == 0 && !handler.arrivals.isEmpty
                    }
                }
            }
            #expect(handler.arrivals.count == 1)
            let envelope = try #require(try JSONSerialization.jsonObject(with: handler.arrivals[0].body) as? [String: Any])
            let message = try #require(envelope["message"] as? [String: Any])
            #expect(handler.arrivals[0].header("Content-Type") == "application/json")
            #expect(envelope["subscription"] as? String == "projects/demo/subscriptions/push")
            #expect(envelope["deliveryAttempt"] == nil)
            #expect(message["data"] as? String == Data("hi".utf8).base64EncodedString())
            #expect(message["attributes"] as? [String: String] == ["k": "v"])
            #expect(message["messageId"] as? String != nil && message["messageId"] as? String == message["message_id"] as? String)
            #expect(message["publishTime"] as? String != nil && message["publishTime"] as? String == message["publish_time"] as? String)
        }
    }

    @Test("after maxDeliveryAttempts nacks the message goes to the dead-letter topic; deliveryAttempt counts 1…5", .timeLimit(.minutes(1)))
    func deadLetters() async throws {
        try await DeliveryHarness.withStore { store in
            let pubsub = PubSubStore(store: store)
            _ = try await pubsub.createTopic(name: Self.topic, body: .init())
            _ = try await pubsub.createTopic(name: Self.deadLetterTopic, body: .init())
            _ = try await pubsub.createSubscription(name: "projects/demo/subscriptions/dead", body: .init(topic: Self.deadLetterTopic))
            let handler = TestHandler()
            try await handler.run(respond: { _, _ in (500, [:]) }) { url in
                var subscription = Emulator.PubSubSubscription(topic: Self.topic)
                subscription.pushConfig = .init(pushEndpoint: url)
                subscription.retryPolicy = .init(minimumBackoff: .milliseconds(50), maximumBackoff: .milliseconds(100))
                subscription.deadLetterPolicy = .init(deadLetterTopic: Self.deadLetterTopic, maxDeliveryAttempts: 5)
                _ = try await pubsub.createSubscription(name: "projects/demo/subscriptions/push", body: subscription)
                let deliverer = PushDeliverer(store: store, client: HTTPClient(), logger: DeliveryHarness.logger)
                try await DeliveryHarness.running(deliverer) {
                    _ = try await pubsub.publish(topic: Self.topic, messages: [(Data("bad".utf8), ["job": "7"], nil)])
                    try await DeliveryHarness.eventually("the message to be dead-lettered") {
                        try await pubsub.subscriptionStats().first { $0.subscription.hasSuffix("/push") }?.deadLettered == 1
                    }
                }
            }
            let attempts = handler.arrivals.map { (try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any])?["deliveryAttempt"] as? Int }
            #expect(attempts == [1, 2, 3, 4, 5])
            let dead = try await pubsub.pull(subscription: "projects/demo/subscriptions/dead", maxMessages: 10)
            #expect(dead.count == 1)
            #expect(dead.first?.message.data == Data("bad".utf8).base64EncodedString())
            #expect(dead.first?.message.attributes == ["job": "7"])
            let stats = try await pubsub.subscriptionStats().first { $0.subscription.hasSuffix("/push") }
            #expect(stats?.backlog == 0 && stats?.inFlight == 0)
        }
    }

    @Test("nacks back off between minimumBackoff and maximumBackoff", arguments: [
        (1, 10), (2, 20), (3, 40), (6, 320), (7, 600), (20, 600),
    ])
    func pushBackoff(attempt: Int, seconds: Int64) {
        let settings = PushSubscriptionSettings(Emulator.PubSubSubscription(name: "projects/p/subscriptions/s", pushConfig: .init(pushEndpoint: "http://h/")))!
        let message = ClaimedMessage(subscription: "s", messageID: 1, data: Data(), publishTime: .init(microseconds: 0), attempt: attempt, leaseEndMicroseconds: 0)
        func outcome(_ status: Int) -> DeliveryOutcome {
            .after(DeliveryResponse(target: settings.endpoint, status: status), attempt: message.attempt, firstAttemptMicroseconds: nil, in: settings, nowMicroseconds: 0)
        }
        #expect(outcome(503) == .retry(atMicroseconds: seconds * 1_000_000))
        #expect(outcome(102) == .delivered)
    }
}
