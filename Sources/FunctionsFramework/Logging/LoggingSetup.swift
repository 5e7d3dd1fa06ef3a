import Logging
import PixelPipeCore

/// Installs the process-wide log handler once at start-up.
public enum LoggingSetup {
    /// Bootstraps swift-log with the chosen format and level; call once, from `main`. With
    /// `tracing` off no line is given the current span (there is none), so not even looked up.
    public static func bootstrap(
        format: LogFormat, level: Logger.Level, projectID: String?, tracing: TracingConfiguration = TracingConfiguration(), sink: LogSink = .standardOutput
    ) {
        let useJSON: Bool
        switch format {
        case .json: useJSON = true
        case .text: useJSON = false
        case .automatic: useJSON = !sink.isTerminal
        }
        LoggingSystem.bootstrap({ label, provider in
            var handler: any LogHandler = useJSON
                ? CloudLogHandler(label: label, projectID: projectID, sink: sink)
                : TerminalLogHandler(label: label, sink: sink)
            handler.logLevel = level
            handler.metadataProvider = provider
            return handler
        }, metadataProvider: tracing.enabled ? traceMetadata : nil)
    }

    /// Puts the current span (`TraceParent.current`) on every line logged while an invocation
    /// runs, also through loggers made before it (a Google API client's), so each line about a
    /// job carries the job's trace.
    public static let traceMetadata = Logger.MetadataProvider {
        TraceParent.current?.logMetadata ?? [:]
    }
}
