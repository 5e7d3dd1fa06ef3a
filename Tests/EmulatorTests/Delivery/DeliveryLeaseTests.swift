import Foundation
import GoogleCloud
import Testing

@testable import Emulator

/// A dispatch or push whose outcome never got recorded (the disk was full, the write failed) is
/// not stuck in flight: its mark is a lease that lapses after its deadline, and the work is
/// claimed again without a restart. A late outcome of the lapsed attempt changes nothing.
@Suite("Delivery: leases on work in flight")
struct DeliveryLeaseTests {
    static let queue = "projects/demo/locations/l/queues/q"

    @Test("a task whose outcome was not recorded is claimed again once its dispatch deadline and the grace have passed")
    func taskLeaseLapses() async throws {
        try await DeliveryHarness.withStore { store in
            let tasks = TasksStore(store: store)
            try await DeliveryHarness.makeQueue(store, Self.queue)
            try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "t", url: "http://127.0.0.1:9/", deadline: .seconds(20))
            let start = GoogleTimestamp.now().microseconds + 1_000_000
            let lease = (Duration.seconds(20) + DeliveryLease.grace).wholeMicroseconds

            let first = try await tasks.claimDue(queue: Self.queue, limit: 10, nowMicroseconds: start)
            #expect(first.map(\.retryCount) == [0])
            // Held while the lease lasts, and the loop is told when it ends.
            #expect(try await tasks.claimDue(queue: Self.queue, limit: 10, nowMicroseconds: start + lease - 1).isEmpty)
            #expect(try await tasks.nextDue(queue: Self.queue) == start + lease)

            let second = try await tasks.claimDue(queue: Self.queue, limit: 10, nowMicroseconds: start + lease)
            #expect(second.map(\.retryCount) == [1], "the lapsed dispatch counts as an attempt")
            // The first attempt's answer arrives late: it no longer holds the task.
            try await tasks.finishDispatch(name: "\(Self.queue)/tasks/t", dispatch: 1, outcome: .completed, nowMicroseconds: start + lease + 1)
            #expect(try await DeliveryHarness.exists(store, task: "\(Self.queue)/tasks/t"))
            try await tasks.finishDispatch(name: "\(Self.queue)/tasks/t", dispatch: 2, outcome: .completed, nowMicroseconds: start + lease + 2)
            #expect(try await !DeliveryHarness.exists(store, task: "\(Self.queue)/tasks/t"))
        }
    }

    @Test("a pushed message whose outcome was not recorded is pushed again once its ack deadline and the grace have passed")
    func pushLeaseLapses() async throws {
        try await DeliveryHarness.withStore { store in
            let pubsub = PubSubStore(store: store)
            let topic = "projects/demo/topics/t"
            let name = "projects/demo/subscriptions/s"
            _ = try await pubsub.createTopic(name: topic, body: .init())
            var subscription = Emulator.PubSubSubscription(topic: topic)
            subscription.pushConfig = .init(pushEndpoint: "http://127.0.0.1:9/")
            subscription.ackDeadlineSeconds = 10
            _ = try await pubsub.createSubscription(name: name, body: subscription)
            _ = try await pubsub.publish(topic: topic, messages: [(Data("m".utf8), nil, nil)])
            let start = GoogleTimestamp.now().microseconds + 1_000_000
            let lease = (Duration.seconds(10) + DeliveryLease.grace).wholeMicroseconds

            let first = try await pubsub.claimDuePushes(subscription: name, limit: 10, ackDeadline: .seconds(10), nowMicroseconds: start)
            #expect(first.map(\.attempt) == [1])
            #expect(try await pubsub.claimDuePushes(subscription: name, limit: 10, ackDeadline: .seconds(10), nowMicroseconds: start + lease - 1).isEmpty)
            #expect(try await pubsub.nextDuePush(subscription: name) == start + lease)

            let second = try await pubsub.claimDuePushes(subscription: name, limit: 10, ackDeadline: .seconds(10), nowMicroseconds: start + lease)
            #expect(second.map(\.attempt) == [2])
            try await pubsub.finishPush(subscription: name, messageID: first[0].messageID, attempt: 1, outcome: .acknowledged)
            #expect(try await pubsub.subscriptionStats().first?.backlog == 1, "a late ack of the lapsed push changes nothing")
            try await pubsub.finishPush(subscription: name, messageID: first[0].messageID, attempt: 2, outcome: .acknowledged)
            #expect(try await pubsub.subscriptionStats().first?.backlog == 0)
        }
    }
}
