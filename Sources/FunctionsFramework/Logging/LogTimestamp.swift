import Foundation

/// RFC 3339 timestamps with microseconds, from the realtime clock. Written with `gmtime_r`
/// because Foundation's date formatters cost more than the rest of a log line.
enum LogTimestamp {
    /// `2026-11-22T16:30:58.123456Z`
    static func now() -> String {
        let (whole, fraction) = instant()
        var seconds = whole
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-" + pad(Int(parts.tm_mday), 2)
            + "T" + clock(parts) + "." + pad(fraction / 1000, 6) + "Z"
    }

    /// `16:30:58.123` in local time, for terminal lines.
    static func localTimeOfDay() -> String {
        let (whole, fraction) = instant()
        var seconds = whole
        var parts = tm()
        localtime_r(&seconds, &parts)
        return clock(parts) + "." + pad(fraction / 1_000_000, 3)
    }

    /// Whole seconds since the epoch and nanoseconds past them.
    private static func instant() -> (seconds: time_t, nanoseconds: Int) {
        let now = Date().timeIntervalSince1970
        let whole = now.rounded(.down)
        return (time_t(whole), Int((now - whole) * 1_000_000_000))
    }

    private static func clock(_ parts: tm) -> String {
        pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
