import Foundation
import FunctionsFramework
import Logging
import Testing

@Suite("Cloud Logging format")
struct CloudLogHandlerTests {
    func line(level: Logger.Level, message: String, metadata: Logger.Metadata, projectID: String? = "demo") throws -> [String: Any] {
        let event = LogEvent(level: level, message: "\(message)", metadata: nil, source: "Runtime", file: "Runtime/X.swift", function: "f()", line: 42)
        let text = CloudLogHandler.format(event: event, metadata: metadata, label: "ingest", projectID: projectID, time: "2026-11-22T10:00:00.000000Z")
        #expect(!text.contains("\n"))
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("an entry is one JSON object with severity, message, time, the qualified trace and metadata")
    func structuredEntry() throws {
        let object = try line(level: .warning, message: "row 3: \"bad\" url\nnext", metadata: [
            CloudLogHandler.traceKey: "4bf92f3577b34da6a3ce929d0e0e4736",
            CloudLogHandler.spanKey: "00f067aa0ba902b7",
            "pixelpipe.job": "0123456789abcdef",
            "pixelpipe.rows": .array(["1", "2"]),
        ])
        #expect(object["severity"] as? String == "WARNING")
        #expect(object["message"] as? String == "row 3: \"bad\" url\nnext")
        #expect(object["time"] as? String == "2026-11-22T10:00:00.000000Z")
        #expect(object["logging.googleapis.com/trace"] as? String == "projects/demo/traces/4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(object["logging.googleapis.com/spanId"] as? String == "00f067aa0ba902b7")
        #expect(object["pixelpipe.job"] as? String == "0123456789abcdef")
        #expect(object["pixelpipe.rows"] as? [String] == ["1", "2"])
        #expect(object["logging.googleapis.com/sourceLocation"] == nil)
    }

    @Test("errors carry their source location; levels map to Cloud Logging severities", arguments: [
        (Logger.Level.debug, "DEBUG"), (.info, "INFO"), (.notice, "NOTICE"), (.warning, "WARNING"), (.error, "ERROR"), (.critical, "CRITICAL"),
    ])
    func severities(_ level: Logger.Level, _ severity: String) throws {
        let object = try line(level: level, message: "m", metadata: [:])
        #expect(object["severity"] as? String == severity)
        let location = object["logging.googleapis.com/sourceLocation"] as? [String: String]
        #expect((location != nil) == (level >= .error))
        if let location { #expect(location == ["file": "Runtime/X.swift", "line": "42", "function": "f()"]) }
    }

    @Test("control characters are escaped so every entry stays on one line")
    func escaping() throws {
        let object = try line(level: .info, message: "tab\there\u{01}bell\r", metadata: ["k": "a\\b"])
        #expect(object["message"] as? String == "tab\there\u{01}bell\r")
        #expect(object["k"] as? String == "a\\b")
    }
}
