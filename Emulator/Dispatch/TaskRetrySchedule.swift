import Foundation
import GoogleCloud
import PixelPipeCore

/// Cloud Tasks' retry schedule for one queue's `retryConfig`: the wait starts at `minBackoff`,
/// doubles `maxDoublings` times, then grows linearly by the last doubled step, capped at
/// `maxBackoff`; retrying stops only when both `maxAttempts` and `maxRetryDuration` are spent.
struct TaskRetrySchedule: Equatable, Sendable {
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
        let minimum = Self.seconds(minBackoff)
        let doublings = Double(max(0, min(maxDoublings, 60)))
        let step: Double
        if Double(retry) <= doublings + 1 {
            step = minimum * pow(2, Double(max(retry - 1, 0)))
        } else {
            step = minimum * pow(2, doublings) * (Double(retry) - doublings)
        }
        return Self.duration(min(step, Self.seconds(maxBackoff)))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func duration(_ seconds: Double) -> Duration {
        .microseconds(Int64(max(0, min(seconds, 1e9)) * 1_000_000))
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

/// Pub/Sub's push backoff for a subscription's `retryPolicy`: exponential from
/// `minimumBackoff` (default 10 s), capped at `maximumBackoff` (default 600 s).
struct PushRetrySchedule: Equatable, Sendable {
    var minimumBackoff: Duration = .seconds(10)
    var maximumBackoff: Duration = .seconds(600)

    /// The wait after failed delivery number `attempt` (1-based).
    func backoff(afterAttempt attempt: Int) -> Duration {
        let step = TaskRetrySchedule.seconds(minimumBackoff) * pow(2, Double(min(max(attempt - 1, 0), 60)))
        return TaskRetrySchedule.duration(min(step, TaskRetrySchedule.seconds(maximumBackoff)))
    }
}
