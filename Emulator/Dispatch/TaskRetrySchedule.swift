import Runtime

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
        let doublings = max(0, maxDoublings)
        let step: Duration
        if retry <= doublings + 1 {
            step = minBackoff * (1 << min(retry - 1, 40))
        } else {
            step = minBackoff * (1 << min(doublings, 40)) * (retry - doublings)
        }
        return min(step, maxBackoff)
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
        min(minimumBackoff * (1 << min(max(attempt - 1, 0), 40)), maximumBackoff)
    }
}
