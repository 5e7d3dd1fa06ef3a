import Foundation

/// Decides what happens to a task after one dispatch, from the response (or its absence), the
/// attempts so far and the queue's retry schedule. Pure, so schedules are tested without waiting.
enum TaskDispatchPolicy {
    /// The outcome of attempt number `attempts` (1 for the first dispatch).
    /// - Parameters:
    ///   - status: the HTTP status, or nil when no response came (timeout, connection refused).
    ///   - failure: why no response came, for the retry reason.
    ///   - retryAfter: the response's `Retry-After` header, honoured on 429 and 503.
    static func outcome(
        status: Int?, failure: String? = nil, retryAfter: String?, attempts: Int,
        firstAttemptMicroseconds: Int64, nowMicroseconds now: Int64, schedule: TaskRetrySchedule
    ) -> TaskAttemptOutcome {
        if let status, (200..<300).contains(status) { return .completed }
        let reason = status.map { "HTTP status \($0)" } ?? failure ?? "no response"
        let clockNow = ContinuousClock.now
        let firstAttempt = clockNow - .microseconds(max(0, now - firstAttemptMicroseconds))
        guard schedule.allowsRetry(attempts: attempts, firstAttempt: firstAttempt, now: clockNow) else {
            return .failed(status: status, reason: reason)
        }
        var wait = schedule.backoff(beforeRetry: max(attempts, 1))
        if status == 429 || status == 503, let retryAfter, let asked = RetryAfter.parse(retryAfter, nowMicroseconds: now) {
            // A handler's hint never stretches a wait past the queue's maxBackoff.
            wait = max(wait, min(asked, schedule.maxBackoff))
        }
        return .retry(atMicroseconds: now + microseconds(wait), status: status, reason: reason)
    }

    /// `duration` in whole microseconds, the unit of the stores' timestamps.
    static func microseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        return parts.seconds * 1_000_000 + parts.attoseconds / 1_000_000_000_000
    }
}

/// The `Retry-After` header: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
enum RetryAfter {
    /// The wait the header asks for; nil when it is malformed or in the past.
    static func parse(_ text: String, nowMicroseconds now: Int64) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Capped at a day: the value comes from a handler, and a day is past any queue's maxBackoff.
        if let seconds = Int64(trimmed) { return seconds >= 0 ? .seconds(min(seconds, 86_400)) : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        let wait = min(date.timeIntervalSince1970 * 1_000_000 - Double(now), 86_400 * 1_000_000)
        return wait > 0 ? .microseconds(Int64(wait)) : nil
    }
}
