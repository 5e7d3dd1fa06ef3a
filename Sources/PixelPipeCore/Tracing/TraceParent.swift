import ServiceContextModule

/// A W3C Trace Context `traceparent`: the trace a piece of work belongs to and the span doing
/// it. A job's trace travels as one of these from ingest through every message, task, Google
/// API call and webhook, each stage continuing it with a span of its own.
public struct TraceParent: Sendable, Hashable, CustomStringConvertible {
    /// 32 lower-case hex digits, not all zero.
    public var traceID: String
    /// 16 lower-case hex digits, not all zero: the span this work runs in (the parent of
    /// whatever it calls).
    public var spanID: String
    /// Whether the trace is sampled (flag 01).
    public var sampled: Bool

    /// A trace parent; the ids must already be lower-case hex of the right lengths.
    public init(traceID: String, spanID: String, sampled: Bool) {
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
    }

    /// Parses `00-<trace 32 hex>-<span 16 hex>-<flags 2 hex>` (version 00; later versions'
    /// extra fields are ignored, as the specification asks).
    public init?(header value: String) {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
        guard parts.count >= 4,
              parts[0].count == 2, parts[0] != "ff", parts[0].allSatisfy(\.isLowerHex),
              parts[0] != "00" || parts.count == 4,
              Self.isID(parts[1], length: 32), Self.isID(parts[2], length: 16),
              parts[3].count == 2, let flags = UInt8(parts[3], radix: 16)
        else { return nil }
        self.init(traceID: String(parts[1]), spanID: String(parts[2]), sampled: flags & 1 == 1)
    }

    /// The `traceparent` header value.
    public var header: String { "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")" }

    public var description: String { header }

    /// A new trace with a new span.
    public static func newTrace(sampled: Bool = true) -> TraceParent {
        TraceParent(traceID: randomHex(bytes: 16), spanID: randomHex(bytes: 8), sampled: sampled)
    }

    /// The same trace, in a new span (a child of this one).
    public func childSpan() -> TraceParent {
        Self.newSpan(inTrace: traceID, sampled: sampled)
    }

    /// A new span in trace `traceID`.
    public static func newSpan(inTrace traceID: String, sampled: Bool) -> TraceParent {
        TraceParent(traceID: traceID, spanID: randomHex(bytes: 8), sampled: sampled)
    }

    private static func isID(_ text: Substring, length: Int) -> Bool {
        text.count == length && text.allSatisfy(\.isLowerHex) && text.contains { $0 != "0" }
    }

    private static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            var text = ""
            for _ in 0..<bytes {
                let byte = UInt8.random(in: 0...255, using: &generator)
                text += String(byte >> 4, radix: 16) + String(byte & 0x0f, radix: 16)
            }
            if text.contains(where: { $0 != "0" }) { return text }
        }
    }
}

extension TraceParent {
    /// The trace parent of the work running now: the invocation's span, bound by the functions
    /// framework around every handler call; nil outside one.
    public static var current: TraceParent? { ServiceContext.current?.traceParent }

    /// Runs `body` with `trace` as the current trace parent (nil clears it).
    public static func withCurrent<T>(
        _ trace: TraceParent?, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
    ) async rethrows -> T {
        var context = ServiceContext.current ?? .topLevel
        context.traceParent = trace
        return try await ServiceContext.withValue(context, isolation: isolation, operation: body)
    }
}

/// The ServiceContext key the current trace parent is stored under.
private enum TraceParentKey: ServiceContextKey {
    typealias Value = TraceParent
    static var nameOverride: String? { "traceparent" }
}

extension ServiceContext {
    /// The W3C trace parent of the work this context belongs to.
    public var traceParent: TraceParent? {
        get { self[TraceParentKey.self] }
        set { self[TraceParentKey.self] = newValue }
    }
}

extension Character {
    fileprivate var isLowerHex: Bool { isASCII && (isNumber || ("a"..."f").contains(self)) }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var slice = self
        while slice.first == " " || slice.first == "\t" { slice.removeFirst() }
        while slice.last == " " || slice.last == "\t" { slice.removeLast() }
        return slice
    }
}
