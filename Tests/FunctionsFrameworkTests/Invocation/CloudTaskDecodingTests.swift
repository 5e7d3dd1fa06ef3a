import Foundation
import FunctionsFramework
import HTTPTypes
import PipelineModel
import Testing
import TestSupport

struct ImageTaskPayload: Decodable, Sendable, Equatable {
    var job: String
    var row: Int
    var url: String
}

struct RecordingTaskFunction: CloudTaskFunction {
    let recorder = Recorder<(CloudTaskRequest<ImageTaskPayload>, InvocationContext)>()

    func handle(_ request: CloudTaskRequest<ImageTaskPayload>, context: InvocationContext) async throws {
        recorder.record((request, context))
    }
}

@Suite("Cloud Tasks decoding")
struct CloudTaskDecodingTests {
    @Test("a request on its third attempt carries every X-CloudTasks header into the context")
    func thirdAttempt() async throws {
        let function = RecordingTaskFunction()
        let request = makeRequest(headers: [
            "X-CloudTasks-QueueName": "images-0123456789abcdef",
            "X-CloudTasks-TaskName": "0123456789abcdef-12-0",
            "X-CloudTasks-TaskRetryCount": "2",
            "X-CloudTasks-TaskExecutionCount": "2",
            "X-CloudTasks-TaskETA": "1795344000.250000",
            "X-CloudTasks-TaskPreviousResponse": "503",
            "X-CloudTasks-TaskRetryReason": "HTTP status code 503",
            "X-Cloud-Trace-Context": "105445aa7843bc8bf206b12000100000/1;o=1",
            "Content-Type": "application/json",
        ], body: #"{"job":"0123456789abcdef","row":12,"url":"https://img.example.com/a.jpg"}"#)

        let response = await dispatch(FunctionDefinition(name: "process", cloudTask: function), request)

        #expect(response.status == .noContent)
        let (task, context) = try #require(function.recorder.last)
        #expect(task.payload == ImageTaskPayload(job: "0123456789abcdef", row: 12, url: "https://img.example.com/a.jpg"))
        #expect(task.task == CloudTaskHeaders(
            queueName: "images-0123456789abcdef", taskName: "0123456789abcdef-12-0", retryCount: 2, executionCount: 2,
            eta: 1_795_344_000.25, previousResponse: 503, retryReason: "HTTP status code 503"
        ))
        #expect(context.attempt == 3)
        #expect(context.invocationID == "0123456789abcdef-12-0")
        #expect(context.cloudTask?.queueName == "images-0123456789abcdef")
        #expect(context.trace == TraceContext(traceID: "105445aa7843bc8bf206b12000100000", spanID: "1", sampled: true))
    }

    @Test("a first attempt has retry count 0 and no previous response")
    func firstAttempt() throws {
        let headers = try #require(try CloudTaskHeaders.parse(makeRequest(headers: [
            "X-CloudTasks-QueueName": "control", "X-CloudTasks-TaskName": "teardown-abc",
            "X-CloudTasks-TaskRetryCount": "0", "X-CloudTasks-TaskExecutionCount": "0",
        ]).headers))
        #expect(headers.attempt == 1)
        #expect(headers.previousResponse == nil)
    }

    @Test("malformed task requests are rejected with 400", arguments: [
        ("no queue header", ["Content-Type": "application/json"], "X-CloudTasks-QueueName"),
        ("no task name", ["X-CloudTasks-QueueName": "q"], "X-CloudTasks-TaskName"),
        ("non-numeric retry count", ["X-CloudTasks-QueueName": "q", "X-CloudTasks-TaskName": "t", "X-CloudTasks-TaskRetryCount": "two"], "TaskRetryCount"),
        ("negative execution count", ["X-CloudTasks-QueueName": "q", "X-CloudTasks-TaskName": "t", "X-CloudTasks-TaskExecutionCount": "-1"], "TaskExecutionCount"),
        ("bad ETA", ["X-CloudTasks-QueueName": "q", "X-CloudTasks-TaskName": "t", "X-CloudTasks-TaskETA": "tomorrow"], "TaskETA"),
    ])
    func rejectsMalformed(_ name: String, _ headers: [String: String], _ mentions: String) async throws {
        let function = RecordingTaskFunction()
        let body = #"{"job":"j","row":1,"url":"https://x/y.jpg"}"#
        let response = await dispatch(FunctionDefinition(name: "process", cloudTask: function), makeRequest(headers: headers, body: body))
        #expect(response.status == .badRequest, "\(name)")
        #expect(response.errorMessage?.contains(mentions) == true, "\(name): \(response.errorMessage ?? "")")
        #expect(function.recorder.all.isEmpty)
    }
}
