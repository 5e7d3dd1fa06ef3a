import Foundation
import PixelPipeCore

/// A function invoked by a Pub/Sub push subscription with message data that decodes as `Payload`.
public protocol PubSubFunction: Sendable {
    associatedtype Payload: Decodable & Sendable
    /// Handles one message; returning acknowledges it.
    func handle(_ push: PubSubPush<Payload>, context: InvocationContext) async throws
}

/// Adapts a `PubSubFunction` to the byte-level handler.
struct PubSubAdapter<Function: PubSubFunction>: InvocationHandler {
    let function: Function

    func handle(_ request: InvocationRequest, context: InvocationContext) async throws -> InvocationResponse {
        let raw = try PubSubPush.decode(from: request)
        let payload = try PayloadDecoder.decode(Function.Payload.self, from: raw.message.data, what: "Pub/Sub message \(raw.message.messageID) data")
        let message = PubSubMessage(
            data: payload,
            attributes: raw.message.attributes,
            messageID: raw.message.messageID,
            publishTime: raw.message.publishTime,
            orderingKey: raw.message.orderingKey
        )
        var context = context.identified(as: raw.message.messageID, signature: .pubSubPush, attempt: raw.deliveryAttempt ?? 1)
        // The message's trace is its publisher's; the push request's own (Cloud Run's) is not.
        // Untraced (tracing off), the attributes are not read.
        if context.span != nil, let parent = TraceParent(messageAttributes: raw.message.attributes) {
            context = context.continuing(parent)
        }
        try await context.withSpan {
            try await context.tagging { try await function.handle(PubSubPush(message: message, subscription: raw.subscription, deliveryAttempt: raw.deliveryAttempt), context: context) }
        }
        return .noContent
    }
}

extension TraceParent {
    /// Message attributes that may carry the publisher's trace: PixelPipe's own, then the one
    /// Google's client libraries write when their OpenTelemetry tracing is on.
    public static let messageAttributes = ["traceparent", "googclient_traceparent"]

    /// The publisher's trace from a message's attributes, nil when none is valid.
    public init?(messageAttributes attributes: [String: String]) {
        guard let parsed = Self.messageAttributes.lazy.compactMap({ attributes[$0].flatMap(TraceParent.init(header:)) }).first else { return nil }
        self = parsed
    }
}
