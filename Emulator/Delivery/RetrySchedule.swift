import Foundation

/// When a failed delivery is attempted again: a value each lane carries (a queue's
/// `retryConfig`, a subscription's `retryPolicy` and dead-letter limit, the triggers' backoff),
/// so the engine applies every kind's schedule the same way.
protocol RetrySchedule: Sendable, Equatable {
    /// The wait before the next attempt after attempt number `attempt` (1 for the first) was
    /// answered with `response`; nil once retries are spent.
    func retryWait(afterAttempt attempt: Int, firstAttemptMicroseconds: Int64, response: DeliveryResponse, nowMicroseconds: Int64) -> Duration?
}

extension Duration {
    /// In whole microseconds, the unit of the stores' timestamps.
    var wholeMicroseconds: Int64 {
        components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
    }

    /// In floating-point seconds, so that no configuration can overflow a schedule's arithmetic.
    var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// `seconds` as a duration, clamped to 0…10⁹ s.
    static func clampedSeconds(_ seconds: Double) -> Duration {
        .microseconds(Int64(max(0, min(seconds, 1e9)) * 1_000_000))
    }
}
