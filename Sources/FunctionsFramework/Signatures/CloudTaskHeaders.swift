import Foundation
import HTTPTypes
import PixelPipeCore

/// The `X-CloudTasks-*` headers Cloud Tasks sets on every HTTP target request.
public struct CloudTaskHeaders: Sendable, Equatable {
    /// Short queue id (`X-CloudTasks-QueueName`).
    public var queueName: String
    /// Short task id (`X-CloudTasks-TaskName`), e.g. `JOB-12-0`.
    public var taskName: String
    /// Times this task was retried, whether or not a response was received (`…-TaskRetryCount`).
    public var retryCount: Int
    /// Times a response was received from the handler, excluding this one (`…-TaskExecutionCount`).
    public var executionCount: Int
    /// Scheduled time in seconds since the epoch (`…-TaskETA`).
    public var eta: Double?
    /// HTTP status of the previous attempt, on retries (`…-TaskPreviousResponse`).
    public var previousResponse: Int?
    /// Why the task is being retried (`…-TaskRetryReason`).
    public var retryReason: String?

    public init(queueName: String, taskName: String, retryCount: Int = 0, executionCount: Int = 0, eta: Double? = nil, previousResponse: Int? = nil, retryReason: String? = nil) {
        self.queueName = queueName
        self.taskName = taskName
        self.retryCount = retryCount
        self.executionCount = executionCount
        self.eta = eta
        self.previousResponse = previousResponse
        self.retryReason = retryReason
    }

    /// The attempt number this request is: 1 for the first dispatch.
    public var attempt: Int { retryCount + 1 }

    /// Parses the headers; nil when the request carries no `X-CloudTasks-QueueName`.
    public static func parse(_ headers: HTTPFields) throws(InvocationError) -> CloudTaskHeaders? {
        func value(_ name: String) -> String? {
            HTTPField.Name(name).flatMap { headers[$0] }.map { String($0.trimmingWhitespace) }
        }
        func integer(_ name: String) throws(InvocationError) -> Int? {
            guard let raw = value(name) else { return nil }
            guard let number = Int(raw), number >= 0 else {
                throw .malformed("\(name) must be a non-negative integer, got '\(raw)'")
            }
            return number
        }
        guard let queue = value("X-CloudTasks-QueueName") else { return nil }
        guard !queue.isEmpty else { throw .malformed("X-CloudTasks-QueueName is empty") }
        guard let task = value("X-CloudTasks-TaskName"), !task.isEmpty else {
            throw .malformed("Cloud Tasks request from queue '\(queue)' has no X-CloudTasks-TaskName header")
        }
        var eta: Double?
        if let raw = value("X-CloudTasks-TaskETA") {
            guard let seconds = Double(raw), seconds.isFinite else {
                throw .malformed("X-CloudTasks-TaskETA must be seconds since the epoch, got '\(raw)'")
            }
            eta = seconds
        }
        return CloudTaskHeaders(
            queueName: queue,
            taskName: task,
            retryCount: try integer("X-CloudTasks-TaskRetryCount") ?? 0,
            executionCount: try integer("X-CloudTasks-TaskExecutionCount") ?? 0,
            eta: eta,
            previousResponse: try integer("X-CloudTasks-TaskPreviousResponse"),
            retryReason: value("X-CloudTasks-TaskRetryReason")
        )
    }
}

/// A Cloud Tasks request with its body decoded as `Payload`.
public struct CloudTaskRequest<Payload: Sendable>: Sendable {
    /// The task's dispatch headers.
    public var task: CloudTaskHeaders
    /// The body.
    public var payload: Payload

    public init(task: CloudTaskHeaders, payload: Payload) {
        self.task = task
        self.payload = payload
    }
}
