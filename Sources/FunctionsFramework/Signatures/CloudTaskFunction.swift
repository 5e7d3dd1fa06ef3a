import Foundation
import Logging

/// A function invoked by Cloud Tasks HTTP targets with a body that decodes as `Payload`.
public protocol CloudTaskFunction: Sendable {
    associatedtype Payload: Decodable & Sendable
    /// Handles one task attempt; returning completes the task.
    func handle(_ request: CloudTaskRequest<Payload>, context: InvocationContext) async throws
}

/// Adapts a `CloudTaskFunction` to the byte-level handler.
struct CloudTaskAdapter<Function: CloudTaskFunction>: InvocationHandler {
    let function: Function

    func handle(_ request: InvocationRequest, context: InvocationContext) async throws -> InvocationResponse {
        guard let task = try CloudTaskHeaders.parse(request.headers) else {
            throw InvocationError.malformed("not a Cloud Tasks request: no X-CloudTasks-QueueName header")
        }
        let payload = try PayloadDecoder.decode(Function.Payload.self, from: request.body, what: "task \(task.taskName) body")
        var context = context.identified(as: task.taskName, signature: .cloudTask, attempt: task.attempt, cloudTask: task)
        context.logger[metadataKey: "pixelpipe.queue"] = .string(task.queueName)
        try await context.tagging { try await function.handle(CloudTaskRequest(task: task, payload: payload), context: context) }
        return .noContent
    }
}
