import Foundation
import GoogleCloud
import PixelPipeCore

/// Cloud Tasks' retry schedule for one queue's `retryConfig`: the wait starts at `minBackoff`,
/// doubles `maxDoublings` times, then grows linearly by the last doubled step, capped at
/// `maxBackoff`; retrying stops only when both `maxAttempts` and `maxRetryDuration` are spent.
struct TaskRetrySchedule: RetrySchedule {
    var minBackoff: Duration
    var maxBackoff: Duration
    var maxDoublings: Int
    /// -1: unlimited.
    var maxAttempts: Int
    /// Zero: unlimited.
    var maxRetryDuration: Duration

    /// Cloud Tasks' defaults: 100 attempts, 0.1 s to 3600 s, 16 doublings, no duration limit.
    static let cloudTasksDefault = TaskRetrySchedule(
        minBackoff: .milliseconds(100), maxBackoff: .seconds(3600), maxDoublings: 16, maxAttempts: 100, maxRetryDuration: .zero
    )

    /// A queue's `retryConfig` over the defaults; malformed durations keep the default.
    init(_ config: CloudTasksQueue.RetryConfig?) {
        let base = Self.cloudTasksDefault
        self.init(
            minBackoff: config?.minBackoff.flatMap(GoogleDuration.parse) ?? base.minBackoff,
            maxBackoff: config?.maxBackoff.flatMap(GoogleDuration.parse) ?? base.maxBackoff,
            maxDoublings: config?.maxDoublings ?? base.maxDoublings,
            maxAttempts: config?.maxAttempts ?? base.maxAttempts,
            maxRetryDuration: config?.maxRetryDuration.flatMap(GoogleDuration.parse) ?? base.maxRetryDuration
        )
    }

    init(minBackoff: Duration, maxBackoff: Duration, maxDoublings: Int, maxAttempts: Int, maxRetryDuration: Duration) {
        self.minBackoff = minBackoff
        self.maxBackoff = maxBackoff
        self.maxDoublings = maxDoublings
        self.maxAttempts = maxAttempts
        self.maxRetryDuration = maxRetryDuration
    }

    /// The wait before retry number `retry` (1 for the first retry).
    func backoff(beforeRetry retry: Int) -> Duration {
        // In floating-point seconds, so no queue configuration can overflow the arithmetic.
        let minimum = minBackoff.secondsValue
        let doublings = Double(max(0, min(maxDoublings, 60)))
        let step: Double
        if Double(retry) <= doublings + 1 {
            step = minimum * pow(2, Double(max(retry - 1, 0)))
        } else {
            step = minimum * pow(2, doublings) * (Double(retry) - doublings)
        }
        return .clampedSeconds(min(step, maxBackoff.secondsValue))
    }

    /// Whether a task that has been attempted `attempts` times, first at `firstAttempt`, may be
    /// attempted again at `now`. A limit left unlimited counts as spent when the other is set;
    /// with both unlimited, the task is retried forever.
    func allowsRetry(attempts: Int, firstAttempt: ContinuousClock.Instant, now: ContinuousClock.Instant) -> Bool {
        let attemptsUnlimited = maxAttempts < 0
        let durationUnlimited = maxRetryDuration <= .zero
        if attemptsUnlimited && durationUnlimited { return true }
        let attemptsSpent = attemptsUnlimited || attempts >= maxAttempts
        let durationSpent = durationUnlimited || now - firstAttempt >= maxRetryDuration
        return !(attemptsSpent && durationSpent)
    }
}

extension TaskRetrySchedule {
    /// The backoff for the retry after `attempt`, stretched by a `Retry-After` on 429 and 503
    /// (never past `maxBackoff`); nil once both `maxAttempts` and `maxRetryDuration` are spent.
    func retryWait(afterAttempt attempt: Int, firstAttemptMicroseconds first: Int64, response: DeliveryResponse, nowMicroseconds now: Int64) -> Duration? {
        let clockNow = ContinuousClock.now
        let firstAttempt = clockNow - .microseconds(max(0, now - first))
        guard allowsRetry(attempts: attempt, firstAttempt: firstAttempt, now: clockNow) else { return nil }
        var wait = backoff(beforeRetry: max(attempt, 1))
        if response.status == 429 || response.status == 503, let retryAfter = response.retryAfter,
           let asked = RetryAfter.parse(retryAfter, nowMicroseconds: now) {
            wait = max(wait, min(asked, maxBackoff))
        }
        return wait
    }
}
