import PixelPipeCore

/// Whether a function records metrics and where it serves them, read once at start-up.
///
/// The metrics listener is a port of its own (`METRICS_PORT`), never the invocation port:
/// Cloud Run routes only `PORT`, and Pub/Sub pushes and Cloud Tasks reach nothing else, so no
/// invocation can read or flood it. Locally the emulator gives each service one on loopback.
public struct MetricsConfiguration: Sendable, Equatable {
    /// Whether swift-metrics records anything (`PIXELPIPE_METRICS`, on by default). Off, every
    /// metric is a no-op and stages skip their per-item timing records and log lines.
    public var enabled: Bool
    /// Address of the metrics listener (`METRICS_HOST`, loopback by default).
    public var host: String
    /// Port of the metrics listener (`METRICS_PORT`); nil serves no listener (metrics are still
    /// recorded, for the structured log lines).
    public var port: Int?

    public init(enabled: Bool = true, host: String = "127.0.0.1", port: Int? = nil) {
        self.enabled = enabled
        self.host = host
        self.port = port
    }

    /// Reads `PIXELPIPE_METRICS`, `METRICS_HOST` and `METRICS_PORT`.
    public init(environment: EnvironmentValues) throws(ConfigurationError) {
        let enabled = try environment.flag("PIXELPIPE_METRICS", default: true)
        let port: Int? = environment["METRICS_PORT"] == nil ? nil : try environment.integer("METRICS_PORT", default: 0, in: 0...65535)
        self.init(enabled: enabled, host: environment["METRICS_HOST"] ?? "127.0.0.1", port: enabled ? port : nil)
    }
}
