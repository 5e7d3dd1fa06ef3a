import PixelPipeCore

// How the current trace (`TraceParent.current`) leaves the process with the work it creates:
// as an attribute of a published message and as a header of an HTTP task. One that already
// names a trace keeps it.

extension PubSubOutgoingMessage {
    /// This message with the current span as its `traceparent` attribute, unless it has one.
    public var tracedWithCurrentSpan: PubSubOutgoingMessage {
        guard let trace = TraceParent.current, attributes?["traceparent"] == nil else { return self }
        var message = self
        message.attributes = (attributes ?? [:]).merging(["traceparent": trace.header]) { old, _ in old }
        return message
    }
}

extension CloudTask {
    /// This task with the current span as its request's `traceparent` header, unless it has one.
    public var tracedWithCurrentSpan: CloudTask {
        guard let trace = TraceParent.current,
              !(httpRequest.headers ?? [:]).keys.contains(where: { $0.lowercased() == "traceparent" }) else { return self }
        var task = self
        task.httpRequest.headers = (httpRequest.headers ?? [:]).merging(["traceparent": trace.header]) { old, _ in old }
        return task
    }
}
