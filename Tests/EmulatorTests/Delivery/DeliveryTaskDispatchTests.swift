import Foundation
import FunctionsFramework
import GoogleCloud
import HTTPTypes
import PixelPipeCore
import Testing
import TestSupport

@testable import Emulator

/// The task dispatcher against live handlers: headers, retries, limits.
@Suite("Delivery: task dispatch")
struct DeliveryTaskDispatchTests {
    static let queue = "projects/demo/locations/here/queues/q"

    @Test("execution counts include 4xx answers but not 5xx ones", .timeLimit(.minutes(1)))
    func executionCountSkipsServerErrors() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue, retry: .init(minBackoff: .milliseconds(100), maxBackoff: .milliseconds(200)))
            let handler = TestHandler()
            try await handler.run(respond: { _, index in [1: (404, [:]), 2: (500, [:]), 3: (429, [:])][index] ?? (200, [:]) }) { url in
                let dispatcher = TaskDispatcher(store: store, client: HTTPClient(), logger: DeliveryHarness.logger)
                try await DeliveryHarness.running(dispatcher) {
                    try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "job-2-0", url: url)
                    try await DeliveryHarness.eventually("the task to complete") {
                        try await !DeliveryHarness.exists(store, task: "\(Self.queue)/tasks/job-2-0")
                    }
                }
            }
            let arrivals = handler.arrivals
            #expect(arrivals.map { $0.header("X-CloudTasks-TaskRetryCount") } == ["0", "1", "2", "3"])
            #expect(arrivals.map { $0.header("X-CloudTasks-TaskExecutionCount") } == ["0", "1", "1", "2"])
            #expect(arrivals.map { $0.header("X-CloudTasks-TaskPreviousResponse") } == [nil, "404", "500", "429"])
        }
    }

    @Test("503 twice then 200: three attempts with Cloud Tasks' retry and execution counts", .timeLimit(.minutes(1)))
    func retriesUntilSuccess() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue, retry: .init(minBackoff: .milliseconds(100), maxBackoff: .milliseconds(200)))
            let handler = TestHandler()
            try await handler.run(respond: { _, index in index <= 2 ? (503, [:]) : (200, [:]) }) { url in
                let dispatcher = TaskDispatcher(store: store, client: HTTPClient(), logger: DeliveryHarness.logger)
                try await DeliveryHarness.running(dispatcher) {
                    try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "job-1-0", url: url, body: "hello")
                    try await DeliveryHarness.eventually("the task to complete") {
                        try await !DeliveryHarness.exists(store, task: "\(Self.queue)/tasks/job-1-0")
                    }
                }
            }
            let arrivals = handler.arrivals
            #expect(arrivals.count == 3)
            #expect(arrivals.map { $0.header("X-CloudTasks-TaskRetryCount") } == ["0", "1", "2"])
            // Cloud Tasks' execution count leaves out 5xx answers.
            #expect(arrivals.map { $0.header("X-CloudTasks-TaskExecutionCount") } == ["0", "0", "0"])
            #expect(arrivals.map { $0.header("X-CloudTasks-TaskPreviousResponse") } == [nil, "503", "503"])
            #expect(arrivals.map { $0.header("X-CloudTasks-TaskRetryReason") != nil } == [false, true, true])
            #expect(arrivals.allSatisfy { $0.header("X-CloudTasks-QueueName") == "q" && $0.header("X-CloudTasks-TaskName") == "job-1-0" })
            #expect(arrivals.allSatisfy { String(decoding: $0.body, as: UTF8.self) == "hello" })
            let etas = arrivals.compactMap { $0.header("X-CloudTasks-TaskETA").flatMap(Double.init) }
            #expect(etas.count == 3 && etas == etas.sorted())
            // The headers parse with the Runtime's own decoder.
            var fields = HTTPFields()
            for (name, value) in arrivals[2].headers { fields[HTTPField.Name(name)!] = value }
            let parsed = try CloudTaskHeaders.parse(fields)
            #expect(parsed?.retryCount == 2 && parsed?.previousResponse == 503 && parsed?.taskName == "job-1-0")
            // The name stays remembered after completion.
            await #expect(throws: Emulator.GoogleAPIError.self) {
                try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "job-1-0", url: "http://127.0.0.1:1/")
            }
        }
    }

    @Test("no answer within dispatchDeadline is a failed attempt without a response", .timeLimit(.minutes(1)))
    func deadline() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue, retry: .init(minBackoff: .milliseconds(50), maxBackoff: .milliseconds(100)))
            let handler = TestHandler()
            // The API allows 15 s at least; the store takes a shorter deadline so the test is quick.
            try await handler.run(delays: { $0 == 1 ? .seconds(2) : .zero }) { url in
                let dispatcher = TaskDispatcher(store: store, client: HTTPClient(), logger: DeliveryHarness.logger)
                try await DeliveryHarness.running(dispatcher) {
                    try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "slow", url: url, deadline: .milliseconds(300))
                    try await DeliveryHarness.eventually("the task to complete") {
                        try await !DeliveryHarness.exists(store, task: "\(Self.queue)/tasks/slow")
                    }
                }
            }
            let arrivals = handler.arrivals
            #expect(arrivals.count == 2)
            #expect(arrivals.last?.header("X-CloudTasks-TaskRetryCount") == "1")
            #expect(arrivals.last?.header("X-CloudTasks-TaskExecutionCount") == "0")
            #expect(arrivals.last?.header("X-CloudTasks-TaskPreviousResponse") == nil)
            #expect(arrivals.last?.header("X-CloudTasks-TaskRetryReason") == "deadline exceeded")
        }
    }

    @Test("maxAttempts stops retrying: the task is deleted and recorded as failed", .timeLimit(.minutes(1)))
    func maxAttemptsStops() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue, retry: .init(maxAttempts: 3, minBackoff: .milliseconds(50), maxBackoff: .milliseconds(100)))
            let handler = TestHandler()
            try await handler.run(respond: { _, _ in (500, [:]) }) { url in
                let dispatcher = TaskDispatcher(store: store, client: HTTPClient(), logger: DeliveryHarness.logger)
                try await DeliveryHarness.running(dispatcher) {
                    try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "doomed", url: url)
                    try await DeliveryHarness.eventually("the task to be given up") {
                        try await !DeliveryHarness.exists(store, task: "\(Self.queue)/tasks/doomed")
                    }
                }
            }
            #expect(handler.arrivals.count == 3)
            let failed = try await TasksStore(store: store).failedTasks(queue: Self.queue)
            #expect(failed == [FailedTask(name: "\(Self.queue)/tasks/doomed", queue: Self.queue, attempts: 3, lastResponseStatus: 500, reason: "HTTP status 500")])
            let stats = try await TasksStore(store: store).queueStats()
            #expect(stats.first?.failed == 1 && stats.first?.pending == 0 && stats.first?.inFlight == 0)
        }
    }

    @Test("maxDispatchesPerSecond 20: the steady dispatch rate is within 10 % of 20/s", .timeLimit(.minutes(1)))
    func rateLimit() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue, rate: .init(maxDispatchesPerSecond: 20, maxBurstSize: 10))
            let handler = TestHandler()
            try await handler.run { url in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<150 {
                        group.addTask { try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "t\(index)", url: url) }
                    }
                    try await group.waitForAll()
                }
                let dispatcher = TaskDispatcher(store: store, client: HTTPClient(), logger: DeliveryHarness.logger)
                try await DeliveryHarness.running(dispatcher) {
                    try await DeliveryHarness.eventually("150 dispatches") { handler.arrivals.count >= 150 }
                }
            }
            let times = handler.arrivals.map(\.at).sorted()
            // Skip the burst (the first second), then count a 5-second window.
            let start = times[0] + .seconds(1)
            let count = times.filter { $0 >= start && $0 < start + .seconds(5) }.count
            #expect((90...110).contains(count), "\(count) dispatches in 5 s")
        }
    }

    @Test("maxConcurrentDispatches 3: never more than 3 in flight", .timeLimit(.minutes(1)))
    func concurrencyLimit() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue, rate: .init(maxConcurrentDispatches: 3))
            let handler = TestHandler()
            try await handler.run(delay: .milliseconds(200)) { url in
                for index in 0..<15 {
                    try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "slow\(index)", url: url)
                }
                let dispatcher = TaskDispatcher(store: store, client: HTTPClient(), logger: DeliveryHarness.logger)
                try await DeliveryHarness.running(dispatcher) {
                    try await DeliveryHarness.eventually("the queue to drain") {
                        try await TasksStore(store: store).queueStats().first.map { $0.pending + $0.inFlight == 0 } ?? false
                    }
                }
            }
            #expect(handler.arrivals.count == 15)
            #expect(handler.peakConcurrency == 3)
        }
    }

    @Test("after a failed attempt the task shows its counters, attempts and next time", .timeLimit(.minutes(1)))
    func visibility() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue, retry: .init(minBackoff: .seconds(3600)))
            let tasks = TasksStore(store: store)
            let handler = TestHandler()
            let before = GoogleTimestamp.now().microseconds
            try await handler.run(respond: { _, _ in (503, [:]) }) { url in
                let recent = RecentInvocations()
                let dispatcher = TaskDispatcher(store: store, client: HTTPClient(), logger: DeliveryHarness.logger, recent: recent)
                try await DeliveryHarness.running(dispatcher) {
                    try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "later", url: url)
                    // The store records the outcome first, the in-memory list right after.
                    try await DeliveryHarness.eventually("the attempt to be recorded") {
                        let recorded = await !recent.snapshot(limit: 1).isEmpty
                        let status = try await tasks.dispatchStates(queue: Self.queue).first?.lastResponseStatus
                        return recorded && status == 503
                    }
                    let invocations = await recent.snapshot(limit: 10)
                    #expect(invocations.map(\.status) == [503] && invocations.first?.target == url)
                }
            }
            let state = try #require(try await tasks.dispatchStates(queue: Self.queue).first)
            #expect(state.attempts == 1 && !state.inFlight)
            #expect(state.nextAttemptMicroseconds >= before + 3_600_000_000)
            let stats = try #require(try await tasks.queueStats().first)
            #expect(stats.pending == 1 && stats.retrying == 1 && stats.inFlight == 0 && stats.lastResponseStatuses == [503: 1])
            let task = try await tasks.task(name: "\(Self.queue)/tasks/later")
            #expect(task.dispatchCount == 1 && task.responseCount == 1)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(StoredJSON.encode(task).utf8)) as? [String: Any])
            #expect(json.value(at: "lastAttempt.responseStatus.code") as? Int == 14)
            #expect(json.value(at: "firstAttempt.dispatchTime") as? String != nil)
            #expect(json.value(at: "lastAttempt.responseTime") as? String != nil)
        }
    }

    @Test("a paused queue dispatches nothing until resumed", .timeLimit(.minutes(1)))
    func pausedQueue() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue)
            let tasks = TasksStore(store: store)
            _ = try await tasks.setState(.paused, queue: Self.queue)
            let handler = TestHandler()
            try await handler.run { url in
                let dispatcher = TaskDispatcher(store: store, client: HTTPClient(), logger: DeliveryHarness.logger)
                try await DeliveryHarness.running(dispatcher) {
                    try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "waits", url: url)
                    #expect(try await tasks.queueStats().first?.pending == 1)
                    #expect(handler.arrivals.isEmpty)
                    _ = try await tasks.setState(.running, queue: Self.queue)
                    try await DeliveryHarness.eventually("the task to run") { try await !DeliveryHarness.exists(store, task: "\(Self.queue)/tasks/waits") }
                }
            }
            #expect(handler.arrivals.count == 1)
        }
    }
}
