import Foundation
import FunctionsFramework
import GoogleCloud
import HTTPTypes
import PipelineModel
import Testing
import TestSupport

/// A Storage finalize event's data, as Eventarc delivers it.
let finalizedObjectJSON = """
{"kind":"storage#object","id":"pixelpipe-uploads/products.csv/1700000000123456",\
"selfLink":"https://www.googleapis.com/storage/v1/b/pixelpipe-uploads/o/products.csv",\
"name":"products.csv","bucket":"pixelpipe-uploads","generation":"1700000000123456",\
"metageneration":"1","contentType":"text/csv","timeCreated":"2026-11-22T10:00:00.123Z",\
"updated":"2026-11-22T10:00:00.123Z","storageClass":"STANDARD","size":"5120",\
"md5Hash":"1B2M2Y8AsgTpgAmY7PhCfg==","crc32c":"AAAAAA==","etag":"CMDo3Nn9/4IDEAE=",\
"metadata":{"webhook-url":"https://hooks.example.com/pixelpipe"}}
"""

/// Records the events and contexts a Storage-triggered function receives.
struct RecordingStorageFunction: CloudEventFunction {
    let recorder = Recorder<(CloudEvent<StorageObject>, InvocationContext)>()

    func handle(_ event: CloudEvent<StorageObject>, context: InvocationContext) async throws {
        recorder.record((event, context))
    }
}

@Suite("CloudEvent decoding")
struct CloudEventDecodingTests {
    @Test("a binary-mode Storage object.finalized event decodes into a StorageObject and names the invocation by ce-id")
    func binaryMode() async throws {
        let function = RecordingStorageFunction()
        let request = makeRequest(headers: [
            "ce-id": "9876543210",
            "ce-source": "//storage.googleapis.com/projects/_/buckets/pixelpipe-uploads",
            "ce-specversion": "1.0",
            "ce-type": "google.cloud.storage.object.v1.finalized",
            "ce-subject": "objects/products.csv",
            "ce-time": "2026-11-22T10:00:00.123Z",
            "ce-bucket": "pixelpipe-uploads",
            "Content-Type": "application/json; charset=utf-8",
            "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ], body: finalizedObjectJSON)

        let response = await dispatch(FunctionDefinition(name: "ingest", cloudEvent: function), request)

        #expect(response.status == .noContent)
        let (event, context) = try #require(function.recorder.last)
        #expect(event.id == "9876543210")
        #expect(event.type == "google.cloud.storage.object.v1.finalized")
        #expect(event.source == "//storage.googleapis.com/projects/_/buckets/pixelpipe-uploads")
        #expect(event.subject == "objects/products.csv")
        #expect(event.time == "2026-11-22T10:00:00.123Z")
        #expect(event.extensions == ["bucket": "pixelpipe-uploads"])
        #expect(event.data.bucket == "pixelpipe-uploads")
        #expect(event.data.name == "products.csv")
        #expect(event.data.generationNumber == 1_700_000_000_123_456)
        #expect(event.data.byteCount == 5120)
        #expect(event.data.metadata?["webhook-url"] == "https://hooks.example.com/pixelpipe")
        #expect(context.invocationID == "9876543210")
        #expect(context.signature == .cloudEvent)
        #expect(context.attempt == 1)
        #expect(context.trace?.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
    }

    @Test("a structured-mode event carries the same object in its data member")
    func structuredMode() async throws {
        let function = RecordingStorageFunction()
        let body = """
        {"specversion":"1.0","id":"evt-1","source":"//storage.googleapis.com/projects/_/buckets/pixelpipe-uploads",\
        "type":"google.cloud.storage.object.v1.finalized","subject":"objects/products.csv",\
        "time":"2026-11-22T10:00:00.123Z","datacontenttype":"application/json","bucket":"pixelpipe-uploads",\
        "data":\(finalizedObjectJSON)}
        """
        let request = makeRequest(headers: ["Content-Type": "application/cloudevents+json; charset=utf-8"], body: body)

        let response = await dispatch(FunctionDefinition(name: "ingest", cloudEvent: function), request)

        #expect(response.status == .noContent)
        let (event, context) = try #require(function.recorder.last)
        #expect(event.id == "evt-1")
        #expect(event.subject == "objects/products.csv")
        #expect(event.dataContentType == "application/json")
        #expect(event.extensions == ["bucket": "pixelpipe-uploads"])
        #expect(event.data.name == "products.csv")
        #expect(event.data.generation == "1700000000123456")
        #expect(context.invocationID == "evt-1")
    }

    @Test("structured mode accepts data_base64")
    func structuredBase64() throws {
        let payload = Data(#"{"bucket":"b","name":"n"}"#.utf8).base64EncodedString()
        let request = makeRequest(
            headers: ["Content-Type": "application/cloudevents+json"],
            body: #"{"specversion":"1.0","id":"1","source":"s","type":"t","data_base64":"\#(payload)"}"#
        )
        let event = try CloudEvent.decode(from: request)
        #expect(String(decoding: event.data, as: UTF8.self) == #"{"bucket":"b","name":"n"}"#)
    }

    static let validHeaders = [
        "ce-id": "1", "ce-source": "//storage.googleapis.com/projects/_/buckets/b",
        "ce-specversion": "1.0", "ce-type": "google.cloud.storage.object.v1.finalized",
        "Content-Type": "application/json",
    ]

    struct Malformed: Sendable, CustomTestStringConvertible {
        var name: String
        var headers: [String: String]
        var body: String
        var reasonMentions: String
        var testDescription: String { name }
    }

    static let malformed: [Malformed] = [
        Malformed(name: "missing ce-id", headers: validHeaders.filter { $0.key != "ce-id" }, body: finalizedObjectJSON, reasonMentions: "ce-id"),
        Malformed(name: "missing ce-type", headers: validHeaders.filter { $0.key != "ce-type" }, body: finalizedObjectJSON, reasonMentions: "ce-type"),
        Malformed(name: "spec version 0.3", headers: validHeaders.merging(["ce-specversion": "0.3"]) { $1 }, body: finalizedObjectJSON, reasonMentions: "specversion"),
        Malformed(name: "wrong content type, no ce headers", headers: ["Content-Type": "text/plain"], body: "hello", reasonMentions: "text/plain"),
        Malformed(name: "data is not a Storage object", headers: validHeaders, body: #"{"bucket":"b"}"#, reasonMentions: "name"),
        Malformed(name: "data is not JSON", headers: validHeaders, body: "not json", reasonMentions: "not valid JSON"),
        Malformed(name: "structured body is not an object", headers: ["Content-Type": "application/cloudevents+json"], body: "[1,2]", reasonMentions: "JSON object"),
        Malformed(name: "structured without id", headers: ["Content-Type": "application/cloudevents+json"], body: #"{"specversion":"1.0","source":"s","type":"t"}"#, reasonMentions: "'id'"),
        Malformed(name: "structured bad base64", headers: ["Content-Type": "application/cloudevents+json"], body: #"{"specversion":"1.0","id":"1","source":"s","type":"t","data_base64":"%%%"}"#, reasonMentions: "base64"),
        Malformed(name: "batch mode", headers: ["Content-Type": "application/cloudevents-batch+json"], body: "[]", reasonMentions: "batch"),
    ]

    @Test("malformed CloudEvents are rejected with 400 and a reason naming the problem", arguments: malformed)
    func rejectsMalformed(_ input: Malformed) async throws {
        let function = RecordingStorageFunction()
        let response = await dispatch(FunctionDefinition(name: "ingest", cloudEvent: function), makeRequest(headers: input.headers, body: input.body))
        #expect(response.status == .badRequest)
        let message = try #require(response.errorMessage)
        #expect(message.contains(input.reasonMentions), "\(message)")
        #expect(function.recorder.all.isEmpty)
    }
}
