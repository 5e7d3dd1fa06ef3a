import Foundation
import FunctionsFramework
import HTTPTypes
import Logging
import PixelPipeCore
import Testing
import TestSupport

/// Records each invocation's context and the trace parent bound while its handler ran.
struct SpanRecordingHandler: InvocationHandler {
    let recorder = Recorder<(InvocationContext, TraceParent?)>()

    func handle(_ request: InvocationRequest, context: InvocationContext) async throws -> InvocationResponse {
        recorder.record((context, TraceParent.current))
        return .noContent
    }
}

/// Records each message's context and the trace parent bound while its handler ran.
struct SpanRecordingPubSubFunction: PubSubFunction {
    let recorder = Recorder<(InvocationContext, TraceParent?)>()

    func handle(_ push: PubSubPush<ShardPayload>, context: InvocationContext) async throws {
        recorder.record((context, TraceParent.current))
    }
}

@Suite("Invocation spans")
struct InvocationSpanTests {
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"

    @Test("an invocation continues the caller's trace in a span of its own, bound while the handler runs and named on its logger")
    func continuesCallersTrace() async throws {
        let handler = SpanRecordingHandler()
        let response = await dispatch(
            FunctionDefinition(name: "f", http: handler),
            makeRequest(headers: ["traceparent": "00-\(Self.traceID)-00f067aa0ba902b7-01"])
        )
        #expect(response.status == .noContent)
        let (context, bound) = try #require(handler.recorder.last)
        #expect(context.span?.traceID == Self.traceID)
        #expect(context.span?.sampled == true)
        #expect(context.span?.spanID != "00f067aa0ba902b7" && context.span?.spanID.count == 16)
        #expect(bound == context.span)
        #expect(context.logger[metadataKey: CloudLogHandler.traceKey] == .string(Self.traceID))
        #expect(context.logger[metadataKey: CloudLogHandler.spanKey] == context.span.map { Logger.MetadataValue.string($0.spanID) })
        #expect(context.logger[metadataKey: CloudLogHandler.sampledKey] == .string("true"))
        #expect(TraceParent.current == nil)
    }

    @Test("Google's X-Cloud-Trace-Context is continued too; without a trace an invocation starts one")
    func cloudTraceContextOrNew() async throws {
        let handler = SpanRecordingHandler()
        _ = await dispatch(FunctionDefinition(name: "f", http: handler), makeRequest(headers: ["X-Cloud-Trace-Context": "105445aa7843bc8bf206b12000100000/1;o=1"]))
        let (continued, _) = try #require(handler.recorder.last)
        #expect(continued.span?.traceID == "105445aa7843bc8bf206b12000100000" && continued.span?.sampled == true)
        _ = await dispatch(FunctionDefinition(name: "f", http: handler), makeRequest())
        let (started, bound) = try #require(handler.recorder.last)
        #expect(started.trace == nil)
        let span = try #require(started.span)
        #expect(TraceParent(header: span.header) == span)
        #expect(bound == started.span)
    }

    @Test("a Pub/Sub message's traceparent attribute wins over the push request's own trace")
    func messageTrace() async throws {
        let function = SpanRecordingPubSubFunction()
        let data = Data(#"{"job":"0123456789abcdef","firstRow":1}"#.utf8).base64EncodedString()
        let body = """
        {"message":{"attributes":{"traceparent":"00-\(Self.traceID)-00f067aa0ba902b7-01"},"data":"\(data)","messageId":"7"},\
        "subscription":"projects/demo/subscriptions/shards-populate"}
        """
        let response = await dispatch(
            FunctionDefinition(name: "populate", pubSubPush: function),
            makeRequest(headers: ["Content-Type": "application/json", "X-Cloud-Trace-Context": "105445aa7843bc8bf206b12000100000/1;o=0"], body: body)
        )
        #expect(response.status == .noContent)
        let (context, bound) = try #require(function.recorder.last)
        #expect(context.span?.traceID == Self.traceID)
        #expect(context.span?.spanID != "00f067aa0ba902b7")
        #expect(bound == context.span)
        #expect(context.logger[metadataKey: CloudLogHandler.traceKey] == .string(Self.traceID))
        #expect(context.invocationID == "7")
    }

    @Test("with tracing off an invocation has no span: the caller's trace is not read, nothing is bound, the logger names no trace")
    func tracingOff() async throws {
        let handler = SpanRecordingHandler()
        let response = await dispatch(
            FunctionDefinition(name: "f", http: handler),
            makeRequest(headers: ["traceparent": "00-\(Self.traceID)-00f067aa0ba902b7-01", "X-Cloud-Trace-Context": "105445aa7843bc8bf206b12000100000/1;o=1"]),
            tracing: .off
        )
        #expect(response.status == .noContent)
        let (context, bound) = try #require(handler.recorder.last)
        #expect(context.trace == nil && context.span == nil && bound == nil)
        #expect(context.logger[metadataKey: CloudLogHandler.traceKey] == nil)
        #expect(context.logger[metadataKey: CloudLogHandler.spanKey] == nil)
        // Nor does an untraced invocation continue a trace it is handed later.
        #expect(context.continuing(TraceParent.newTrace()).span == nil)
    }

    @Test("with tracing off a Pub/Sub message's traceparent attribute is not continued")
    func messageTraceOff() async throws {
        let function = SpanRecordingPubSubFunction()
        let data = Data(#"{"job":"0123456789abcdef","firstRow":1}"#.utf8).base64EncodedString()
        let body = """
        {"message":{"attributes":{"traceparent":"00-\(Self.traceID)-00f067aa0ba902b7-01"},"data":"\(data)","messageId":"7"},\
        "subscription":"projects/demo/subscriptions/shards-populate"}
        """
        let response = await dispatch(
            FunctionDefinition(name: "populate", pubSubPush: function), makeRequest(headers: ["Content-Type": "application/json"], body: body), tracing: .off
        )
        #expect(response.status == .noContent)
        let (context, bound) = try #require(function.recorder.last)
        #expect(context.span == nil && bound == nil)
        #expect(context.logger[metadataKey: CloudLogHandler.traceKey] == nil)
        #expect(context.invocationID == "7")
    }

    @Test("message attributes name the publisher's trace: traceparent, else googclient_traceparent; invalid ones are ignored")
    func attributes() {
        let header = "00-\(Self.traceID)-00f067aa0ba902b7-01"
        #expect(TraceParent(messageAttributes: ["traceparent": header])?.traceID == Self.traceID)
        #expect(TraceParent(messageAttributes: ["googclient_traceparent": header])?.traceID == Self.traceID)
        #expect(TraceParent(messageAttributes: ["traceparent": "garbage", "googclient_traceparent": header])?.traceID == Self.traceID)
        #expect(TraceParent(messageAttributes: ["job": "x"]) == nil)
    }

    @Test("log lines name the trace, the span and whether it is sampled (a boolean)")
    func logFields() throws {
        let span = TraceParent(traceID: Self.traceID, spanID: "00f067aa0ba902b7", sampled: true)
        let event = LogEvent(level: .info, message: "m", metadata: nil, source: "S", file: "F.swift", function: "f()", line: 1)
        let text = CloudLogHandler.format(event: event, metadata: span.logMetadata, label: "l", projectID: "demo", time: "t")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["logging.googleapis.com/trace"] as? String == "projects/demo/traces/\(Self.traceID)")
        #expect(object["logging.googleapis.com/spanId"] as? String == "00f067aa0ba902b7")
        #expect(object["logging.googleapis.com/trace_sampled"] as? Bool == true)
        #expect(object[CloudLogHandler.sampledKey] == nil)
        let unsampled = CloudLogHandler.format(event: event, metadata: TraceParent(traceID: Self.traceID, spanID: "00f067aa0ba902b7", sampled: false).logMetadata, label: "l", projectID: nil, time: "t")
        #expect(unsampled.contains(#""logging.googleapis.com/trace_sampled":false"#))
    }

    @Test("the logging setup's metadata provider names the current span, and nothing outside one")
    func provider() async {
        #expect(LoggingSetup.traceMetadata.get().isEmpty)
        let span = TraceParent.newTrace()
        await TraceParent.withCurrent(span) {
            #expect(LoggingSetup.traceMetadata.get()[CloudLogHandler.traceKey] == .string(span.traceID))
        }
    }
}

/// Readable lines (a terminal) keep only the trace id.
@Suite("Invocation spans on a terminal")
struct TerminalSpanTests {
    @Test("a readable line names the trace but not the span or the sampling")
    func terminalLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("terminal-\(UUID().uuidString).log").path
        let descriptor = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        #expect(descriptor >= 0)
        defer { close(descriptor); unlink(path) }
        var handler = TerminalLogHandler(label: "populate", sink: LogSink(descriptor: descriptor))
        handler.metadata = TraceParent(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7", sampled: true).logMetadata
        handler.log(event: LogEvent(level: .info, message: "m", metadata: ["pixelpipe.job": "j"], source: "S", file: "F.swift", function: "f()", line: 1))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("trace=4bf92f3577b34da6a3ce929d0e0e4736") && text.contains("job=j"))
        #expect(!text.contains("span=") && !text.contains("trace_sampled"))
    }
}
