import Foundation
import FunctionsFramework
import GoogleCloud
import HTTPTypes
import PixelPipeCore
import Testing
import TestSupport

/// A task function that fails the way it is told to.
struct FailingTaskFunction: CloudTaskFunction {
    let failure: (any Error & Sendable)?

    func handle(_ request: CloudTaskRequest<EmptyPayload>, context: InvocationContext) async throws {
        if let failure { throw failure }
    }
}

struct ClassifiedFailure: RetryClassifiedError, CustomStringConvertible {
    var isTransient: Bool
    var description: String { isTransient ? "upstream answered 503 for https://img.example.com/a.jpg" : "404 for https://img.example.com/gone.jpg" }
}

struct UnexpectedFailure: Error {}

@Suite("Response mapping")
struct ResponseMappingTests {
    static let task = makeRequest(headers: ["X-CloudTasks-QueueName": "q", "X-CloudTasks-TaskName": "t"])

    @Test("each outcome of a queue-driven handler maps to the status the queue acts on", arguments: [
        (nil, 204),
        (InvocationError.transient("source timed out"), 503),
        (InvocationError.permanent("row 7: not an image"), 200),
        (InvocationError.malformed("bad body"), 400),
        (InvocationError.notImplemented("later"), 501),
        (ClassifiedFailure(isTransient: true), 503),
        (ClassifiedFailure(isTransient: false), 200),
        (UnexpectedFailure(), 500),
    ] as [((any Error & Sendable)?, Int)])
    func queueMapping(_ failure: (any Error & Sendable)?, _ status: Int) async {
        let response = await dispatch(FunctionDefinition(name: "process", cloudTask: FailingTaskFunction(failure: failure)), Self.task)
        #expect(response.status.code == status)
    }

    @Test("a permanently bad input is acknowledged with its reason in the body, so the queue stops retrying")
    func permanentIsAcknowledged() async {
        let function = FailingTaskFunction(failure: InvocationError.permanent("row 7: https://x/y.jpg is not an image"))
        let response = await dispatch(FunctionDefinition(name: "process", cloudTask: function), Self.task)
        #expect(response.status == .ok)
        #expect(response.errorMessage == "row 7: https://x/y.jpg is not an image")
    }

    @Test("a transient error with a retry hint answers Retry-After in whole seconds")
    func retryAfter() async {
        let function = FailingTaskFunction(failure: InvocationError.transient("rate limited", retryAfter: .milliseconds(2500)))
        let response = await dispatch(FunctionDefinition(name: "process", cloudTask: function), Self.task)
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers[.retryAfter] == "3")
    }

    @Test("for direct HTTP calls a permanent failure is a 422, not an acknowledgement")
    func httpPermanent() async {
        let handler = ClosureHandler { _, _ in throw InvocationError.permanent("url must be http or https") }
        let response = await dispatch(FunctionDefinition(name: "process", http: handler), makeRequest())
        #expect(response.status == .unprocessableContent)
        #expect(response.errorMessage == "url must be http or https")
    }

    @Test("an unclassified error answers 500 without leaking its description")
    func internalError() async {
        let handler = ClosureHandler { _, _ in throw ClassifiedFailureWithSecret() }
        let response = await dispatch(FunctionDefinition(name: "x", http: handler), makeRequest())
        #expect(response.status == .internalServerError)
        #expect(!String(decoding: response.body, as: UTF8.self).contains("hunter2"))
    }

    @Test("the context's deadline is the request timeout from arrival")
    func deadline() async throws {
        let seen = Recorder<Duration>()
        let handler = ClosureHandler { _, context in
            seen.record(context.remainingTime)
            return .noContent
        }
        _ = await dispatch(FunctionDefinition(name: "x", http: handler), makeRequest(), timeout: .seconds(30))
        let remaining = try #require(seen.last)
        #expect(remaining <= .seconds(30) && remaining > .seconds(20))
    }
}

struct ClassifiedFailureWithSecret: Error, CustomStringConvertible {
    var description: String { "token=hunter2" }
}
