/// Durations as Google's JSON APIs write them: seconds with an `s` suffix, e.g. `"10s"`,
/// `"0.100s"`, `"3600s"`.
public enum GoogleDuration {
    /// Parses `"3.5s"`; nil for anything else.
    public static func parse(_ text: String) -> Duration? {
        guard text.hasSuffix("s"), let seconds = Double(text.dropLast()), seconds.isFinite, seconds >= 0 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// Formats whole or fractional seconds: `.seconds(10)` → `"10s"`, `.milliseconds(100)` → `"0.100s"`.
    public static func format(_ duration: Duration) -> String {
        let milliseconds = duration.milliseconds
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)s"
    }
}
