import Foundation
import Logging

/// Writes one readable line per entry — time, level, logger, message, metadata — for a person
/// watching a terminal.
public struct TerminalLogHandler: LogHandler {
    private let label: String
    private let sink: LogSink
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info

    /// A handler for logger `label`.
    public init(label: String, sink: LogSink = .standardOutput) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit = event.metadata { all.merge(explicit) { _, new in new } }
        var line = LogTimestamp.localTimeOfDay()
        line += " " + event.level.cloudLoggingSeverity.padding(toLength: 8, withPad: " ", startingAt: 0)
        line += label + ": " + event.message.description
        // The trace id is enough to follow a job by eye; span ids and sampling are for Cloud Logging.
        all[CloudLogHandler.spanKey] = nil
        all[CloudLogHandler.sampledKey] = nil
        for (key, value) in all.sorted(by: { $0.key < $1.key }) {
            let shortKey = key.hasPrefix("pixelpipe.") ? String(key.dropFirst("pixelpipe.".count)) : key
            line += " \(shortKey)=\(value)"
        }
        if let error = event.error {
            line += " error=\(error)"
        }
        sink.write(line: line)
    }
}
