import HTTPTypes
import PixelPipeCore

/// The trace a request belongs to, from W3C `traceparent` or Google's `X-Cloud-Trace-Context`:
/// the caller's span. The invocation continues it in a span of its own (`InvocationContext.span`).
public struct TraceContext: Sendable, Equatable {
    /// 32 lower-case hex digits.
    public var traceID: String
    /// The caller's span: 16 hex digits (W3C) or a decimal number (Google's header).
    public var spanID: String?
    /// Whether the caller sampled the trace.
    public var sampled: Bool

    public init(traceID: String, spanID: String?, sampled: Bool) {
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
    }

    /// The trace from `traceparent` if valid, else from `X-Cloud-Trace-Context`, else nil.
    public init?(headers: HTTPFields) {
        if let value = HTTPField.Name("traceparent").flatMap({ headers[$0] }), let parsed = TraceContext(traceparent: value) {
            self = parsed
        } else if let value = HTTPField.Name("X-Cloud-Trace-Context").flatMap({ headers[$0] }), let parsed = TraceContext(cloudTraceContext: value) {
            self = parsed
        } else {
            return nil
        }
    }

    /// Parses `00-<trace 32 hex>-<span 16 hex>-<flags 2 hex>` (W3C Trace Context, version 00).
    public init?(traceparent value: String) {
        let parts = value.trimmingWhitespace.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4,
              parts[0].count == 2, parts[0] != "ff", parts[0].allSatisfy(\.isLowerHexDigit),
              parts[1].count == 32, parts[1].allSatisfy(\.isLowerHexDigit), parts[1].contains(where: { $0 != "0" }),
              parts[2].count == 16, parts[2].allSatisfy(\.isLowerHexDigit), parts[2].contains(where: { $0 != "0" }),
              parts[3].count == 2, let flags = UInt8(parts[3], radix: 16)
        else { return nil }
        self.init(traceID: String(parts[1]), spanID: String(parts[2]), sampled: flags & 1 == 1)
    }

    /// Parses `TRACE_ID[/SPAN_ID][;o=OPTIONS]` (Google's legacy header).
    public init?(cloudTraceContext value: String) {
        let main = value.trimmingWhitespace.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
        let ids = main[0].split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let trace = ids[0].lowercased()
        guard trace.count == 32, trace.allSatisfy(\.isLowerHexDigit) else { return nil }
        var span: String?
        if ids.count == 2 {
            guard !ids[1].isEmpty, ids[1].allSatisfy(\.isASCIIDigit) else { return nil }
            span = String(ids[1])
        }
        let sampled = main.count == 2 && main[1].trimmingCharacters(in: " ") == "o=1"
        self.init(traceID: trace, spanID: span, sampled: sampled)
    }
}

extension Character {
    var isLowerHexDigit: Bool { isASCII && (isNumber || ("a"..."f").contains(self)) }
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var slice = self
        while slice.first == set { slice.removeFirst() }
        while slice.last == set { slice.removeLast() }
        return slice
    }
}
