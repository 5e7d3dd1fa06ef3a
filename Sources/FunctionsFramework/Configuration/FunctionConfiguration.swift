import Logging
import PixelPipeCore

/// How a function binary serves: read once from the environment at start-up.
///
/// Variable names follow Cloud Run's contract (`PORT`, `K_SERVICE`, `K_REVISION`) and the
/// Google client libraries' (`GOOGLE_CLOUD_PROJECT`).
public struct FunctionConfiguration: Sendable, Equatable {
    /// Address to bind. Cloud Run requires all interfaces; the emulator passes loopback.
    public var host: String
    /// Port to bind; 0 picks a free one (reported in the start-up log).
    public var port: Int
    /// Service name for logs (`K_SERVICE`), defaulting to the binary's stage name.
    public var service: String
    /// Revision name for logs (`K_REVISION`).
    public var revision: String?
    /// Project used to qualify trace ids in logs.
    public var projectID: String?
    /// Lowest level that is logged (`LOG_LEVEL`).
    public var logLevel: Logger.Level
    /// Log line format (`LOG_FORMAT`): JSON for Cloud Logging, text for people, or chosen by whether stdout is a terminal.
    public var logFormat: LogFormat
    /// Time an invocation may take before its deadline (`REQUEST_TIMEOUT`, seconds), as Cloud Run's request timeout.
    public var requestTimeout: Duration
    /// How long in-flight requests may run after SIGTERM (`SHUTDOWN_GRACE_PERIOD`, seconds).
    public var shutdownGracePeriod: Duration
    /// Largest request body accepted (`MAX_REQUEST_BYTES`); Cloud Run's own HTTP/1 limit is 32 MiB.
    public var maxRequestBodyBytes: Int

    /// Defaults for a service called `service`.
    public init(
        service: String,
        host: String = "0.0.0.0",
        port: Int = 8080,
        revision: String? = nil,
        projectID: String? = nil,
        logLevel: Logger.Level = .info,
        logFormat: LogFormat = .automatic,
        requestTimeout: Duration = .seconds(300),
        shutdownGracePeriod: Duration = .seconds(10),
        maxRequestBodyBytes: Int = 32 << 20
    ) {
        self.service = service
        self.host = host
        self.port = port
        self.revision = revision
        self.projectID = projectID
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.requestTimeout = requestTimeout
        self.shutdownGracePeriod = shutdownGracePeriod
        self.maxRequestBodyBytes = maxRequestBodyBytes
    }

    /// Reads the configuration of stage `service` from environment variables.
    public init(service: String, environment: EnvironmentValues) throws(ConfigurationError) {
        let defaults = FunctionConfiguration(service: service)
        self.init(
            service: environment["K_SERVICE"] ?? service,
            host: environment["HOST"] ?? defaults.host,
            port: try environment.integer("PORT", default: defaults.port, in: 0...65535),
            revision: environment["K_REVISION"],
            projectID: environment.first(of: ["GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "GCP_PROJECT"]),
            logLevel: try environment.logLevel("LOG_LEVEL", default: defaults.logLevel),
            logFormat: try environment.choice("LOG_FORMAT", default: defaults.logFormat),
            requestTimeout: try environment.seconds("REQUEST_TIMEOUT", default: defaults.requestTimeout),
            shutdownGracePeriod: try environment.seconds("SHUTDOWN_GRACE_PERIOD", default: defaults.shutdownGracePeriod),
            maxRequestBodyBytes: try environment.integer("MAX_REQUEST_BYTES", default: defaults.maxRequestBodyBytes, in: 1...(1 << 30))
        )
    }
}

extension EnvironmentValues {
    /// A swift-log level; also accepts Cloud Logging's severities (`warning`, `error`, …) in any case.
    public func logLevel(_ key: String, default defaultValue: Logger.Level) throws(ConfigurationError) -> Logger.Level {
        guard let raw = self[key] else { return defaultValue }
        let name = raw.trimmingWhitespace.lowercased()
        if let level = Logger.Level(rawValue: name) { return level }
        switch name {
        case "warn": return .warning
        case "fatal", "alert", "emergency": return .critical
        default:
            throw .malformed(key, value: raw, expected: "one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }
}
