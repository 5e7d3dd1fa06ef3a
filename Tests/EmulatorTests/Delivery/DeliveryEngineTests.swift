import Foundation
import GRDB
import GoogleCloud
import Testing

@testable import Emulator

/// The one delivery engine with a fake sender: the stores are real, no socket is opened, and
/// each test runs in well under a second. The engine polls only every 30 s, so every wake-up
/// seen here comes from a work signal or a due time.
@Suite("Delivery: engine with a fake sender")
struct DeliveryEngineTests {
    static let queue = "projects/demo/locations/here/queues/q"
    typealias TaskFake = FakeSender<DispatchQueueSettings, ClaimedTask>
    typealias PushFake = FakeSender<PushSubscriptionSettings, ClaimedMessage>

    static func tasks(_ store: EmulatorStore, leaseGrace: Duration = DeliveryLease.grace) -> TaskDeliverySource {
        TaskDeliverySource(tasks: TasksStore(store: store), leaseGrace: leaseGrace)
    }

    @Test("a failing task follows its queue's schedule: 50, 100 and 200 ms between attempts, then it completes", .timeLimit(.minutes(1)))
    func followsRetrySchedule() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue, retry: .init(minBackoff: .milliseconds(50), maxBackoff: .milliseconds(200)))
            let sender = TaskFake(answer: { _, index in index <= 3 ? 503 : 200 })
            try await DeliveryHarness.running(DeliveryEngine.faked(Self.tasks(store), sender, store: store)) {
                try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "t", url: "http://unused/")
                try await DeliveryHarness.eventually("the task to complete") { try await !DeliveryHarness.exists(store, task: "\(Self.queue)/tasks/t") }
            }
            let sent = sender.sent
            #expect(sent.map(\.item.retryCount) == [0, 1, 2, 3])
            #expect(sent.map(\.item.previousResponse) == [nil, 503, 503, 503])
            let gaps = zip(sent.dropFirst(), sent).map { $0.at - $1.at }
            for (gap, backoff) in zip(gaps, [50, 100, 200].map(Duration.milliseconds)) {
                // Never early; how late depends on the machine's load, so only a hang is caught.
                #expect(gap >= backoff - .milliseconds(2) && gap < backoff + .seconds(5), "\(gap) for a backoff of \(backoff)")
            }
        }
    }

    @Test("a lease that lapses redelivers: the second claim counts as a retry, and the first attempt's late answer changes nothing", .timeLimit(.minutes(1)))
    func lapsedLeaseRedelivers() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue, retry: .init(minBackoff: .seconds(3600)))
            // The first attempt outlives its 200 ms deadline (no grace) and then answers 200;
            // the second is answered 503 at once, so the task stays, waiting an hour.
            let sender = TaskFake(hold: { $0 == 1 ? .milliseconds(600) : .zero }, answer: { _, index in index == 1 ? 200 : 503 })
            try await DeliveryHarness.running(DeliveryEngine.faked(Self.tasks(store, leaseGrace: .zero), sender, store: store)) {
                try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "t", url: "http://unused/", deadline: .milliseconds(200))
                try await DeliveryHarness.eventually("both attempts to be answered") { sender.answered == 2 }
                try await DeliveryHarness.eventually("the second attempt to be recorded") {
                    try await TasksStore(store: store).dispatchStates(queue: Self.queue).first?.lastResponseStatus == 503
                }
            }
            #expect(sender.sent.map(\.item.retryCount) == [0, 1])
            let state = try #require(try await TasksStore(store: store).dispatchStates(queue: Self.queue).first)
            #expect(state.attempts == 2 && !state.inFlight, "the late 200 of the lapsed attempt did not complete the task")
        }
    }

    @Test("maxDispatchesPerSecond 10 with a burst of 5: no more than the burst plus the rate is sent, in count", .timeLimit(.minutes(1)))
    func rateLimitInCount() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue, rate: .init(maxDispatchesPerSecond: 10, maxBurstSize: 5))
            for index in 0..<40 {
                try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "t\(index)", url: "http://unused/")
            }
            let sender = TaskFake()
            try await DeliveryHarness.running(DeliveryEngine.faked(Self.tasks(store), sender, store: store)) {
                try await DeliveryHarness.eventually("the first dispatch") { !sender.sent.isEmpty }
                let first = sender.sent[0].at
                try await DeliveryHarness.eventually("half a second of dispatching") { ContinuousClock.now >= first + .milliseconds(500) }
            }
            let first = sender.sent[0].at
            let window = sender.sent.filter { $0.at < first + .milliseconds(500) }.count
            // 5 at once, then one every 100 ms: 10 at most within half a second (one more for the
            // clocks' skew); at least the burst, however busy the machine.
            #expect(window <= 11 && window >= 5, "\(window) dispatches in the first 500 ms")
        }
    }

    @Test("maxConcurrentDispatches 2: never more than 2 held at once, and all are sent", .timeLimit(.minutes(1)))
    func concurrencyLimit() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue, rate: .init(maxConcurrentDispatches: 2))
            for index in 0..<8 {
                try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "t\(index)", url: "http://unused/")
            }
            let sender = TaskFake(hold: { _ in .milliseconds(50) })
            try await DeliveryHarness.running(DeliveryEngine.faked(Self.tasks(store), sender, store: store)) {
                try await DeliveryHarness.eventually("the queue to drain") {
                    try await TasksStore(store: store).queueStats().first.map { $0.pending + $0.inFlight == 0 } ?? false
                }
            }
            #expect(sender.sent.count == 8)
            #expect(sender.peakConcurrency == 2)
        }
    }

    @Test("a task that keeps failing is given up after maxAttempts and recorded as failed", .timeLimit(.minutes(1)))
    func taskGivenUp() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue, retry: .init(maxAttempts: 3, minBackoff: .milliseconds(10), maxBackoff: .milliseconds(20)))
            let sender = TaskFake(answer: { _, _ in 500 })
            try await DeliveryHarness.running(DeliveryEngine.faked(Self.tasks(store), sender, store: store)) {
                try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "doomed", url: "http://unused/")
                try await DeliveryHarness.eventually("the task to be given up") { try await !DeliveryHarness.exists(store, task: "\(Self.queue)/tasks/doomed") }
            }
            #expect(sender.sent.count == 3)
            let failed = try await TasksStore(store: store).failedTasks(queue: Self.queue)
            #expect(failed.map(\.attempts) == [3] && failed.first?.reason == "HTTP status 500")
        }
    }

    @Test("a message nacked maxDeliveryAttempts times is dead-lettered with its data, counted once", .timeLimit(.minutes(1)))
    func permanentFailureDeadLetters() async throws {
        try await DeliveryHarness.withStore { store in
            let pubsub = PubSubStore(store: store)
            let topic = "projects/demo/topics/t"
            let dead = "projects/demo/topics/dead"
            _ = try await pubsub.createTopic(name: topic, body: .init())
            _ = try await pubsub.createTopic(name: dead, body: .init())
            _ = try await pubsub.createSubscription(name: "projects/demo/subscriptions/dead", body: .init(topic: dead))
            var subscription = Emulator.PubSubSubscription(topic: topic)
            subscription.pushConfig = .init(pushEndpoint: "http://unused/")
            subscription.retryPolicy = .init(minimumBackoff: .milliseconds(10), maximumBackoff: .milliseconds(20))
            subscription.deadLetterPolicy = .init(deadLetterTopic: dead, maxDeliveryAttempts: 5)
            _ = try await pubsub.createSubscription(name: "projects/demo/subscriptions/push", body: subscription)
            let sender = PushFake(answer: { _, _ in 400 })
            try await DeliveryHarness.running(DeliveryEngine.faked(PushDeliverySource(pubsub: pubsub), sender, store: store)) {
                _ = try await pubsub.publish(topic: topic, messages: [(Data("bad".utf8), ["job": "7"], nil)])
                try await DeliveryHarness.eventually("the message to be dead-lettered") {
                    try await pubsub.subscriptionStats().first { $0.subscription.hasSuffix("/push") }?.deadLettered == 1
                }
            }
            #expect(sender.sent.map(\.item.attempt) == [1, 2, 3, 4, 5])
            let stats = try await pubsub.subscriptionStats().first { $0.subscription.hasSuffix("/push") }
            #expect(stats?.backlog == 0 && stats?.inFlight == 0)
            let forwarded = try await pubsub.pull(subscription: "projects/demo/subscriptions/dead", maxMessages: 10)
            #expect(forwarded.map(\.message.data) == [Data("bad".utf8).base64EncodedString()])
        }
    }

    @Test("a trigger event left in flight is sent again at the next start, then retried until a 2xx with the same event id", .timeLimit(.minutes(1)))
    func triggerEventRedelivered() async throws {
        try await DeliveryHarness.withStore { store in
            let lane = TriggerLane(schedule: PushRetrySchedule(minimumBackoff: .milliseconds(20), maximumBackoff: .milliseconds(40)))
            let source = TriggerDeliverySource(store: store, lane: lane)
            try await store.write { db in
                try db.execute(sql: """
                    INSERT INTO trigger_deliveries (trigger, service, path, event_id, headers, body, next_at, created_at)
                    VALUES ('csv', 'fn', '/', 'e1', '{"ce-id":"e1"}', X'7B7D', 0, 0)
                    """)
            }
            // A previous process claimed it and stopped; its lease (the 300 s timeout) lasts.
            #expect(try await source.claimDue(in: lane, limit: 10, nowMicroseconds: GoogleTimestamp.now().microseconds).map(\.attempt) == [1])
            let sender = FakeSender<TriggerLane, TriggerDelivery>(answer: { _, index in index < 3 ? 503 : 204 })
            try await DeliveryHarness.running(DeliveryEngine.faked(source, sender, store: store)) {
                try await DeliveryHarness.eventually("the event to be delivered") { try await source.pendingCount() == 0 }
            }
            #expect(sender.sent.map(\.item.attempt) == [2, 3, 4])
            #expect(sender.sent.map(\.item.label) == ["e1", "e1", "e1"])
        }
    }

    @Test("nothing is sent while the disk is reported full; the signal on recovery resumes at once", .timeLimit(.minutes(1)))
    func diskProblemPauses() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue)
            store.health.note(DiskFullError(operation: "write", path: "/test", code: ENOSPC))
            let sender = TaskFake()
            try await DeliveryHarness.running(DeliveryEngine.faked(Self.tasks(store), sender, store: store)) {
                try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "t", url: "http://unused/")
                // Give the loop a few signalled scans to (wrongly) send.
                for _ in 0..<3 {
                    store.workSignal.notify()
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(sender.sent.isEmpty)
                let resumed = ContinuousClock.now
                store.health.recovered()
                store.workSignal.notify()
                try await DeliveryHarness.eventually("the task to be sent") { !sender.sent.isEmpty }
                #expect(sender.sent[0].at - resumed < .seconds(10), "woken by the signal, not the 30 s poll")
            }
        }
    }
}
