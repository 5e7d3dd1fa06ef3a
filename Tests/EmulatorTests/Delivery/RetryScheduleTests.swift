import GoogleCloud
import PixelPipeCore
import Testing
@testable import Emulator

@Suite("Retry schedules")
struct RetryScheduleTests {
    @Test("minBackoff 10 s, maxBackoff 300 s, maxDoublings 3 waits 10, 20, 40, 80, 160, 240, 300, 300 s")
    func cloudTasksExample() {
        let schedule = TaskRetrySchedule(CloudTasksQueue.RetryConfig(minBackoff: "10s", maxBackoff: "300s", maxDoublings: 3))
        let waits = (1...8).map { schedule.backoff(beforeRetry: $0) }
        #expect(waits == [10, 20, 40, 80, 160, 240, 300, 300].map { Duration.seconds($0) })
    }

    @Test("the defaults are Cloud Tasks': 0.1 s doubling 16 times, capped at an hour, 100 attempts")
    func defaults() {
        let schedule = TaskRetrySchedule(nil)
        #expect(schedule == .cloudTasksDefault)
        #expect(schedule.backoff(beforeRetry: 1) == .milliseconds(100))
        #expect(schedule.backoff(beforeRetry: 2) == .milliseconds(200))
        #expect(schedule.backoff(beforeRetry: 20) == .seconds(3600))
    }

    @Test("maxDoublings 0 grows linearly from the first step")
    func linearOnly() {
        let schedule = TaskRetrySchedule(CloudTasksQueue.RetryConfig(minBackoff: "1s", maxBackoff: "10s", maxDoublings: 0))
        #expect((1...5).map { schedule.backoff(beforeRetry: $0) } == [1, 2, 3, 4, 5].map { Duration.seconds($0) })
    }

    @Test("retrying stops when both maxAttempts and maxRetryDuration are spent", arguments: [
        // (maxAttempts, maxRetryDuration s, attempts so far, seconds since first attempt, may retry)
        (5, 0, 4, 1000, true), (5, 0, 5, 0, false),
        (5, 60, 5, 30, true), (5, 60, 5, 60, false), (5, 60, 3, 100, true),
        (-1, 60, 1000, 59, true), (-1, 60, 1000, 61, false),
        (-1, 0, 100_000, 100_000, true),
    ])
    func stopRule(_ maxAttempts: Int, _ maxDuration: Int, _ attempts: Int, _ elapsed: Int, _ expected: Bool) {
        let schedule = TaskRetrySchedule(minBackoff: .seconds(1), maxBackoff: .seconds(10), maxDoublings: 3, maxAttempts: maxAttempts, maxRetryDuration: .seconds(maxDuration))
        let first = ContinuousClock.now
        #expect(schedule.allowsRetry(attempts: attempts, firstAttempt: first, now: first + .seconds(elapsed)) == expected)
    }

    @Test("Pub/Sub push backoff doubles from minimumBackoff up to maximumBackoff")
    func pushBackoff() {
        let schedule = PushRetrySchedule(minimumBackoff: .seconds(10), maximumBackoff: .seconds(60))
        #expect((1...5).map { schedule.backoff(afterAttempt: $0) } == [10, 20, 40, 60, 60].map { Duration.seconds($0) })
    }

    @Test("a token bucket allows a burst, then exactly the rate")
    func tokenBucket() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(ratePerSecond: 20, burst: 5, now: start)
        var dispatched = 0
        var now = start
        // Simulate 5 s in 1 ms steps, dispatching whenever a token is there.
        while now < start + .seconds(5) {
            while bucket.take(now: now) == nil { dispatched += 1 }
            now += .milliseconds(1)
        }
        #expect(dispatched == 5 + 100 - 1 || dispatched == 5 + 100)
        var empty = TokenBucket(ratePerSecond: 20, burst: 1, now: start)
        #expect(empty.take(now: start) == nil)
        #expect(empty.take(now: start) == .milliseconds(50))
    }

    @Test("absurd configurations and Retry-After values are capped instead of overflowing")
    func noOverflow() {
        let huge = TaskRetrySchedule(minBackoff: .seconds(3_000_000_000), maxBackoff: .seconds(3_600), maxDoublings: 60, maxAttempts: 100, maxRetryDuration: .zero)
        #expect(huge.backoff(beforeRetry: 1_000_000) == .seconds(3_600))
        #expect(PushRetrySchedule(minimumBackoff: .seconds(600), maximumBackoff: .seconds(600)).backoff(afterAttempt: Int.max) == .seconds(600))
        let wait = TaskRetrySchedule(nil).retryWait(
            afterAttempt: 1, firstAttemptMicroseconds: 0, response: DeliveryResponse(target: "", status: 503, retryAfter: "99999999999999"),
            nowMicroseconds: 1_795_000_000_000_000
        )
        #expect(wait == .seconds(3_600))
    }
}
