import Logging

/// Writes each entry as one JSON object per line in Cloud Logging's structured format
/// (`severity`, `message`, `time`, `logging.googleapis.com/trace`, `…/spanId`,
/// `…/trace_sampled`, `…/sourceLocation`, plus
/// metadata as top-level fields), which Cloud Run's log agent parses from stdout.
///
/// Hand-written rather than a library: no package here emits this format, and the encoder is a
/// few lines of string escaping that stays off the allocation-heavy `JSONSerialization` path.
public struct CloudLogHandler: LogHandler {
    /// Metadata key whose value is a trace id; it becomes `logging.googleapis.com/trace`.
    public static let traceKey = "pixelpipe.trace"
    /// Metadata key whose value is a span id; it becomes `logging.googleapis.com/spanId`.
    public static let spanKey = "pixelpipe.span"
    /// Metadata key whose value (`true` or `false`) becomes the boolean
    /// `logging.googleapis.com/trace_sampled`.
    public static let sampledKey = "pixelpipe.trace_sampled"

    private let label: String
    private let projectID: String?
    private let sink: LogSink
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info

    /// A handler for logger `label`; trace ids are qualified with `projectID` when known.
    public init(label: String, projectID: String?, sink: LogSink = .standardOutput) {
        self.label = label
        self.projectID = projectID
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        sink.write(line: Self.format(
            event: event,
            metadata: merged(event.metadata),
            label: label,
            projectID: projectID,
            time: LogTimestamp.now()
        ))
    }

    private func merged(_ explicit: Logger.Metadata?) -> Logger.Metadata {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit { all.merge(explicit) { _, new in new } }
        return all
    }

    /// The JSON line for one entry; exposed for tests.
    public static func format(event: LogEvent, metadata: Logger.Metadata, label: String, projectID: String?, time: String) -> String {
        var json = JSONLineWriter()
        json.field("severity", string: event.level.cloudLoggingSeverity)
        json.field("message", string: event.message.description)
        json.field("time", string: time)
        json.field("logger", string: label)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            switch key {
            case traceKey:
                let trace = value.description
                json.field("logging.googleapis.com/trace", string: projectID.map { "projects/\($0)/traces/\(trace)" } ?? trace)
            case spanKey:
                json.field("logging.googleapis.com/spanId", string: value.description)
            case sampledKey:
                json.key("logging.googleapis.com/trace_sampled")
                json.raw(value.description == "true" ? "true" : "false")
            default:
                json.field(key, value: value)
            }
        }
        if let error = event.error {
            json.field("error", string: String(describing: error))
        }
        if event.level >= .error {
            json.key("logging.googleapis.com/sourceLocation")
            var location = JSONLineWriter()
            location.field("file", string: event.file)
            location.field("line", string: String(event.line))
            location.field("function", string: event.function)
            json.raw(location.finish())
        }
        return json.finish()
    }
}

extension Logger.Level {
    /// The Cloud Logging `LogSeverity` name for this level.
    var cloudLoggingSeverity: String {
        switch self {
        case .trace, .debug: return "DEBUG"
        case .info: return "INFO"
        case .notice: return "NOTICE"
        case .warning: return "WARNING"
        case .error: return "ERROR"
        case .critical: return "CRITICAL"
        }
    }
}

/// Builds one JSON object as text, escaping strings as RFC 8259 requires.
struct JSONLineWriter {
    private var text = "{"
    private var first = true

    mutating func key(_ name: String) {
        if !first { text += "," }
        first = false
        Self.appendString(name, to: &text)
        text += ":"
    }

    mutating func raw(_ json: String) {
        text += json
    }

    mutating func field(_ name: String, string value: String) {
        key(name)
        Self.appendString(value, to: &text)
    }

    mutating func field(_ name: String, value: Logger.Metadata.Value) {
        key(name)
        Self.append(value, to: &text)
    }

    consuming func finish() -> String {
        text + "}"
    }

    static func append(_ value: Logger.Metadata.Value, to text: inout String) {
        switch value {
        case .string(let string):
            appendString(string, to: &text)
        case .stringConvertible(let convertible):
            appendString(convertible.description, to: &text)
        case .array(let values):
            text += "["
            for (index, element) in values.enumerated() {
                if index > 0 { text += "," }
                append(element, to: &text)
            }
            text += "]"
        case .dictionary(let dictionary):
            var nested = JSONLineWriter()
            for (key, element) in dictionary.sorted(by: { $0.key < $1.key }) {
                nested.field(key, value: element)
            }
            text += nested.finish()
        }
    }

    static func appendString(_ string: String, to text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
