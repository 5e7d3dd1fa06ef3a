import Foundation
import GoogleCloud
import PixelPipeCore
import Testing
import TestSupport

@testable import Emulator

/// In-process restarts: work a previous process left marked in flight is delivered again, and
/// purged work is never delivered.
@Suite("Delivery: restart and purge")
struct DeliveryRestartTests {
    static let queue = "projects/demo/locations/here/queues/q"

    @Test("a task left in flight by a dead process is dispatched again, counted as a retry", .timeLimit(.minutes(1)))
    func taskInFlightIsRedispatched() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue)
            let handler = TestHandler()
            try await handler.run { url in
                try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "orphan", url: url)
                // The previous process claimed it and died before recording an outcome.
                let claimed = try await TasksStore(store: store).claimDue(queue: Self.queue, limit: 10, nowMicroseconds: GoogleTimestamp.now().microseconds)
                #expect(claimed.map(\.name) == ["\(Self.queue)/tasks/orphan"])
                let dispatcher = TaskDispatcher(store: store, client: HTTPClient(), logger: DeliveryHarness.logger)
                try await DeliveryHarness.running(dispatcher) {
                    try await DeliveryHarness.eventually("the orphan to complete") {
                        try await !DeliveryHarness.exists(store, task: "\(Self.queue)/tasks/orphan")
                    }
                }
            }
            #expect(handler.arrivals.map { $0.header("X-CloudTasks-TaskRetryCount") } == ["1"])
            #expect(handler.arrivals.map { $0.header("X-CloudTasks-TaskExecutionCount") } == ["0"])
        }
    }

    @Test("a push left in flight by a dead process is delivered again with the next deliveryAttempt", .timeLimit(.minutes(1)))
    func pushInFlightIsRedelivered() async throws {
        try await DeliveryHarness.withStore { store in
            let pubsub = PubSubStore(store: store)
            let topic = "projects/demo/topics/t"
            _ = try await pubsub.createTopic(name: topic, body: .init())
            _ = try await pubsub.createTopic(name: "projects/demo/topics/dead", body: .init())
            let handler = TestHandler()
            try await handler.run { url in
                var subscription = Emulator.PubSubSubscription(topic: topic)
                subscription.pushConfig = .init(pushEndpoint: url)
                subscription.deadLetterPolicy = .init(deadLetterTopic: "projects/demo/topics/dead", maxDeliveryAttempts: 5)
                _ = try await pubsub.createSubscription(name: "projects/demo/subscriptions/s", body: subscription)
                _ = try await pubsub.publish(topic: topic, messages: [(Data("x".utf8), nil, nil)])
                let claimed = try await pubsub.claimDuePushes(subscription: "projects/demo/subscriptions/s", limit: 10, ackDeadline: .seconds(600),
                                                              nowMicroseconds: GoogleTimestamp.now().microseconds)
                #expect(claimed.count == 1)
                let deliverer = PushDeliverer(store: store, client: HTTPClient(), logger: DeliveryHarness.logger)
                try await DeliveryHarness.running(deliverer) {
                    try await DeliveryHarness.eventually("the message to be acknowledged") {
                        try await pubsub.subscriptionStats().first { $0.subscription.hasSuffix("/s") }?.backlog == 0
                    }
                }
            }
            let attempts = handler.arrivals.map { (try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any])?["deliveryAttempt"] as? Int }
            #expect(attempts == [2])
        }
    }

    @Test("purged tasks are never dispatched", .timeLimit(.minutes(1)))
    func purgeStopsPending() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue, rate: .init(maxConcurrentDispatches: 1))
            let tasks = TasksStore(store: store)
            let handler = TestHandler()
            let purged = try await handler.run(delay: .milliseconds(200)) { url in
                for index in 0..<5 {
                    try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "old\(index)", url: url)
                }
                let dispatcher = TaskDispatcher(store: store, client: HTTPClient(), logger: DeliveryHarness.logger)
                return try await DeliveryHarness.running(dispatcher) {
                    try await DeliveryHarness.eventually("the first dispatch") { !handler.arrivals.isEmpty }
                    _ = try await tasks.purge(queue: Self.queue)
                    let purged = ContinuousClock.now
                    // Dispatch is in schedule order, so a marker created after the purge arrives
                    // only after anything purged that was still going to be dispatched.
                    try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "marker", url: url)
                    try await DeliveryHarness.eventually("the marker") {
                        handler.arrivals.contains { $0.header("X-CloudTasks-TaskName") == "marker" }
                    }
                    return purged
                }
            }
            let names = handler.arrivals.compactMap { $0.header("X-CloudTasks-TaskName") }
            #expect(names.last == "marker" && names.filter { $0 == "marker" }.count == 1)
            // Only dispatches that started before the purge reached the handler.
            #expect(handler.arrivals.filter { $0.header("X-CloudTasks-TaskName") != "marker" }.allSatisfy { $0.at < purged })
            #expect(names.count < 6)
        }
    }
}
