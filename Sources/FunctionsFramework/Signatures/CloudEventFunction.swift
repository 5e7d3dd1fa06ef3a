import Foundation
import Logging

/// A function invoked with CloudEvents whose data decodes as `Payload`
/// (e.g. `StorageObject` for Storage triggers).
public protocol CloudEventFunction: Sendable {
    associatedtype Payload: Decodable & Sendable
    /// Handles one event; returning means the event is done and will not be redelivered.
    func handle(_ event: CloudEvent<Payload>, context: InvocationContext) async throws
}

/// Adapts a `CloudEventFunction` to the byte-level handler: decode, identify, call, answer 204.
struct CloudEventAdapter<Function: CloudEventFunction>: InvocationHandler {
    let function: Function

    func handle(_ request: InvocationRequest, context: InvocationContext) async throws -> InvocationResponse {
        let raw = try CloudEvent.decode(from: request)
        let payload = try PayloadDecoder.decode(Function.Payload.self, from: raw.data, what: "CloudEvent \(raw.id) data")
        var context = context.identified(as: raw.id, signature: .cloudEvent, attempt: 1)
        context.logger[metadataKey: "pixelpipe.event.type"] = .string(raw.type)
        if let subject = raw.subject { context.logger[metadataKey: "pixelpipe.event.subject"] = .string(subject) }
        try await context.tagging { try await function.handle(raw.withData(payload), context: context) }
        return .noContent
    }
}
