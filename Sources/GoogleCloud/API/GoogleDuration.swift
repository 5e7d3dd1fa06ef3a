import Foundation

/// A protobuf `Duration` in its JSON form (`"3.5s"`, `"0.100s"`), as Google's JSON APIs write
/// durations, kept as nanoseconds.
public struct GoogleDuration: Sendable, Hashable, Codable {
    /// The length in nanoseconds.
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    /// Whole seconds.
    public static func seconds(_ seconds: Int64) -> GoogleDuration { .init(nanoseconds: seconds * 1_000_000_000) }
    /// Whole milliseconds.
    public static func milliseconds(_ milliseconds: Int64) -> GoogleDuration { .init(nanoseconds: milliseconds * 1_000_000) }

    /// The same length as a Swift `Duration`.
    public var duration: Duration { .nanoseconds(nanoseconds) }

    /// Parses `"3.5s"` into a `Duration`; nil when malformed or negative.
    public static func parse(_ text: String) -> Duration? {
        GoogleDuration(text: text)?.duration
    }

    /// Parses `"<seconds>[.<fraction>]s"`; nil when malformed or negative.
    public init?(text: String) {
        guard text.hasSuffix("s") else { return nil }
        let number = text.dropLast()
        let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        // Nanoseconds in an Int64 reach about 292 years; longer durations are refused.
        guard let whole = Int64(parts[0]), whole >= 0, whole < 9_000_000_000 else { return nil }
        var nanos: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.count <= 9, fraction.allSatisfy(\.isASCII), let value = Int64(fraction), value >= 0 else { return nil }
            nanos = value
            for _ in fraction.count..<9 { nanos *= 10 }
        }
        nanoseconds = whole * 1_000_000_000 + nanos
    }

    /// The JSON text: whole seconds, or 3, 6 or 9 fractional digits as protobuf prints them.
    public var text: String {
        let seconds = nanoseconds / 1_000_000_000
        let nanos = nanoseconds % 1_000_000_000
        if nanos == 0 { return "\(seconds)s" }
        let digits: Int
        let fraction: Int64
        if nanos % 1_000_000 == 0 { digits = 3; fraction = nanos / 1_000_000 } else if nanos % 1_000 == 0 { digits = 6; fraction = nanos / 1_000 } else { digits = 9; fraction = nanos }
        let fractionText = String(fraction)
        return "\(seconds)." + String(repeating: "0", count: digits - fractionText.count) + fractionText + "s"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = GoogleDuration(text: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not a duration like \"3.5s\"")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
