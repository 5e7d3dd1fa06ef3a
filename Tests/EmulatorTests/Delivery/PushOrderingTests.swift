import Foundation
import GoogleCloud
import Testing
import TestSupport

@testable import Emulator

/// Ordering keys on push: with `enableMessageOrdering`, a key's next message is pushed only once
/// the previous one was acknowledged, so a nack holds the key back; other keys go on meanwhile.
@Suite("Delivery: Pub/Sub push with ordering keys")
struct PushOrderingTests {
    static let topic = "projects/demo/topics/ordered"

    @Test("a key's messages are pushed one at a time in publish order, a nacked one again before the next", .timeLimit(.minutes(1)))
    func inOrderPerKey() async throws {
        try await DeliveryHarness.withStore { store in
            let pubsub = PubSubStore(store: store)
            _ = try await pubsub.createTopic(name: Self.topic, body: .init())
            let handler = TestHandler()
            @Sendable func text(_ arrival: Arrival) -> String {
                let envelope = (try? JSONSerialization.jsonObject(with: arrival.body)) as? [String: Any]
                let data = ((envelope?["message"] as? [String: Any])?["data"] as? String).flatMap { Data(base64Encoded: $0) } ?? Data()
                return String(decoding: data, as: UTF8.self)
            }
            try await handler.run(delay: .milliseconds(20), respond: { arrival, _ in
                // The first push of k1 is nacked.
                let firstK1 = text(arrival) == "k1" && handler.arrivals.filter { text($0) == "k1" }.count == 1
                return (firstK1 ? 503 : 204, [:])
            }) { url in
                var subscription = Emulator.PubSubSubscription(topic: Self.topic)
                subscription.pushConfig = .init(pushEndpoint: url)
                subscription.enableMessageOrdering = true
                subscription.retryPolicy = .init(minimumBackoff: .seconds(1), maximumBackoff: .seconds(1))
                _ = try await pubsub.createSubscription(name: "projects/demo/subscriptions/ordered", body: subscription)
                _ = try await pubsub.publish(topic: Self.topic, messages: ["k1", "k2", "k3"].map { (Data($0.utf8), nil, "k") }
                    + [(Data("x1".utf8), nil, "x"), (Data("x2".utf8), nil, "x"), (Data("free".utf8), nil, nil)])
                let deliverer = PushDeliverer(store: store, client: HTTPClient(), logger: DeliveryHarness.logger)
                try await DeliveryHarness.running(deliverer) {
                    try await DeliveryHarness.eventually("every message to be acknowledged") {
                        try await pubsub.subscriptionStats().first?.backlog == 0
                    }
                }
            }
            let texts = handler.arrivals.map(text)
            #expect(texts.filter { $0.hasPrefix("k") } == ["k1", "k1", "k2", "k3"], "\(texts)")
            #expect(texts.filter { $0.hasPrefix("x") } == ["x1", "x2"], "\(texts)")
            // The other key did not wait for k1's retry.
            let x2 = try #require(texts.firstIndex(of: "x2"))
            let k2 = try #require(texts.firstIndex(of: "k2"))
            #expect(x2 < k2, "\(texts)")
            #expect(handler.peakConcurrency <= 3, "at most one message per key in flight: \(handler.peakConcurrency)")
        }
    }
}
