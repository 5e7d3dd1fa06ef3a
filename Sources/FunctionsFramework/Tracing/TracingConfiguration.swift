import PixelPipeCore

/// Whether a function traces its work, read once at start-up.
///
/// Every trace a stage passes on starts at one place: the span the invocation dispatcher binds
/// as `TraceParent.current` around each handler call. Off, it binds none, and so the Google
/// clients, the webhook and the log lines, which all read the current span, carry no trace.
public struct TracingConfiguration: Sendable, Equatable {
    /// Whether invocations continue or start traces (`PIXELPIPE_TRACING`, on by default). Off,
    /// a request's `traceparent` is not read, no span is made, and nothing sent carries one.
    public var enabled: Bool

    public init(enabled: Bool = true) {
        self.enabled = enabled
    }

    /// Tracing off: for benchmarks and tests that compare a run without it.
    public static let off = TracingConfiguration(enabled: false)

    /// Reads `PIXELPIPE_TRACING` (on unless `off`, `false`, `0` or `no`).
    public init(environment: EnvironmentValues) throws(ConfigurationError) {
        self.init(enabled: try environment.flag("PIXELPIPE_TRACING", default: true))
    }
}
