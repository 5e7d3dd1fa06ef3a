import Foundation
import FunctionsFramework
import HTTPTypes
import PipelineModel
import Testing
import TestSupport

/// A shard message like the ones populate receives.
struct ShardPayload: Decodable, Sendable, Equatable {
    var job: String
    var firstRow: Int
}

struct RecordingPubSubFunction: PubSubFunction {
    let recorder = Recorder<(PubSubPush<ShardPayload>, InvocationContext)>()

    func handle(_ push: PubSubPush<ShardPayload>, context: InvocationContext) async throws {
        recorder.record((push, context))
    }
}

@Suite("Pub/Sub push decoding")
struct PubSubPushDecodingTests {
    static let data = Data(#"{"job":"0123456789abcdef","firstRow":1001}"#.utf8).base64EncodedString()

    @Test("an envelope with deliveryAttempt and orderingKey decodes, and the attempt reaches the context")
    func fullEnvelope() async throws {
        let function = RecordingPubSubFunction()
        let body = """
        {"message":{"attributes":{"job":"0123456789abcdef"},"data":"\(Self.data)",\
        "messageId":"2070443601311540","message_id":"2070443601311540",\
        "orderingKey":"job-0123","publishTime":"2026-11-22T10:00:01.5Z","publish_time":"2026-11-22T10:00:01.5Z"},\
        "subscription":"projects/demo/subscriptions/shards-populate","deliveryAttempt":3}
        """
        let response = await dispatch(
            FunctionDefinition(name: "populate", pubSubPush: function),
            makeRequest(headers: ["Content-Type": "application/json"], body: body)
        )

        #expect(response.status == .noContent)
        let (push, context) = try #require(function.recorder.last)
        #expect(push.message.data == ShardPayload(job: "0123456789abcdef", firstRow: 1001))
        #expect(push.message.attributes == ["job": "0123456789abcdef"])
        #expect(push.message.messageID == "2070443601311540")
        #expect(push.message.orderingKey == "job-0123")
        #expect(push.message.publishTime == "2026-11-22T10:00:01.5Z")
        #expect(push.subscription == "projects/demo/subscriptions/shards-populate")
        #expect(push.deliveryAttempt == 3)
        #expect(context.attempt == 3)
        #expect(context.invocationID == "2070443601311540")
        #expect(context.signature == .pubSubPush)
    }

    @Test("an envelope without deliveryAttempt or orderingKey, using only the snake_case spellings, decodes as attempt 1")
    func minimalSnakeCaseEnvelope() async throws {
        let function = RecordingPubSubFunction()
        let body = """
        {"message":{"data":"\(Self.data)","message_id":"42","publish_time":"2026-11-22T10:00:01Z"},\
        "subscription":"projects/demo/subscriptions/shards-populate"}
        """
        let response = await dispatch(
            FunctionDefinition(name: "populate", pubSubPush: function),
            makeRequest(headers: ["Content-Type": "application/json"], body: body)
        )

        #expect(response.status == .noContent)
        let (push, context) = try #require(function.recorder.last)
        #expect(push.message.messageID == "42")
        #expect(push.message.publishTime == "2026-11-22T10:00:01Z")
        #expect(push.message.orderingKey == nil)
        #expect(push.message.attributes.isEmpty)
        #expect(push.deliveryAttempt == nil)
        #expect(context.attempt == 1)
    }

    @Test("raw Data payloads receive the decoded bytes untouched")
    func rawPayload() throws {
        let bytes = Data([0, 1, 2, 255])
        let request = makeRequest(headers: ["Content-Type": "application/json"], body: #"{"message":{"data":"\#(bytes.base64EncodedString())","messageId":"1"}}"#)
        let push = try PubSubPush.decode(from: request)
        #expect(push.message.data == bytes)
    }

    @Test("malformed push requests are rejected with 400", arguments: [
        ("bad base64", "application/json", #"{"message":{"data":"!!!notbase64","messageId":"1"},"subscription":"s"}"#, "base64"),
        ("JSON that is not an envelope", "application/json", #"{"hello":"world"}"#, "message"),
        ("a JSON array", "application/json", "[]", "envelope"),
        ("no message id", "application/json", #"{"message":{"data":""},"subscription":"s"}"#, "messageId"),
        ("wrong content type", "text/plain", #"{"message":{"messageId":"1"}}"#, "text/plain"),
        ("payload of the wrong shape", "application/json", #"{"message":{"data":"\#(Data(#"{"job":1}"#.utf8).base64EncodedString())","messageId":"1"}}"#, "job"),
        ("deliveryAttempt zero", "application/json", #"{"message":{"messageId":"1"},"deliveryAttempt":0}"#, "deliveryAttempt"),
    ])
    func rejectsMalformed(_ name: String, _ contentType: String, _ body: String, _ mentions: String) async throws {
        let function = RecordingPubSubFunction()
        let response = await dispatch(
            FunctionDefinition(name: "populate", pubSubPush: function),
            makeRequest(headers: ["Content-Type": contentType], body: body)
        )
        #expect(response.status == .badRequest, "\(name)")
        let message = try #require(response.errorMessage)
        #expect(message.contains(mentions), "\(name): \(message)")
        #expect(function.recorder.all.isEmpty)
    }
}
