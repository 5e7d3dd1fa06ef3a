import Foundation

/// Pub/Sub's push backoff for a subscription's `retryPolicy`: exponential from
/// `minimumBackoff` (default 10 s), capped at `maximumBackoff` (default 600 s). The storage
/// triggers retry the same way with their own bounds and no limit.
struct PushRetrySchedule: RetrySchedule {
    var minimumBackoff: Duration = .seconds(10)
    var maximumBackoff: Duration = .seconds(600)
    /// The dead-letter policy's `maxDeliveryAttempts`; nil (no policy) retries forever.
    var maxAttempts: Int?

    /// The wait after failed delivery number `attempt` (1-based).
    func backoff(afterAttempt attempt: Int) -> Duration {
        let step = minimumBackoff.secondsValue * pow(2, Double(min(max(attempt - 1, 0), 60)))
        return .clampedSeconds(min(step, maximumBackoff.secondsValue))
    }

    func retryWait(afterAttempt attempt: Int, firstAttemptMicroseconds: Int64, response: DeliveryResponse, nowMicroseconds: Int64) -> Duration? {
        if let maxAttempts, attempt >= maxAttempts { return nil }
        return backoff(afterAttempt: attempt)
    }
}
