import Foundation

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
