import Logging

/// What every handler call is given besides its payload: identity, attempt, deadline, trace and
/// a logger whose metadata already names the invocation.
public struct InvocationContext: Sendable {
    /// The event id, Pub/Sub message id, task name, or a generated id for plain HTTP.
    public var invocationID: String
    /// How the function was invoked.
    public var signature: SignatureType
    /// 1 for a first delivery; retries count up (Cloud Tasks retry count + 1, Pub/Sub `deliveryAttempt`).
    public var attempt: Int
    /// When the caller stops waiting (the request timeout from arrival).
    public var deadline: ContinuousClock.Instant
    /// The request's trace, when the caller sent one.
    public var trace: TraceContext?
    /// The Cloud Tasks headers, for `cloudTask` invocations.
    public var cloudTask: CloudTaskHeaders?
    /// A logger for this invocation, with `pixelpipe.invocation` and the trace set.
    public var logger: Logger

    public init(
        invocationID: String,
        signature: SignatureType,
        attempt: Int = 1,
        deadline: ContinuousClock.Instant,
        trace: TraceContext? = nil,
        cloudTask: CloudTaskHeaders? = nil,
        logger: Logger
    ) {
        self.invocationID = invocationID
        self.signature = signature
        self.attempt = attempt
        self.deadline = deadline
        self.trace = trace
        self.cloudTask = cloudTask
        self.logger = logger
        self.logger[metadataKey: "pixelpipe.invocation"] = .string(invocationID)
        if let trace {
            self.logger[metadataKey: CloudLogHandler.traceKey] = .string(trace.traceID)
            if let span = trace.spanID { self.logger[metadataKey: CloudLogHandler.spanKey] = .string(span) }
        }
    }

    /// Time left before the deadline (negative once past).
    public var remainingTime: Duration { deadline - .now }

    /// This context re-identified once the signature's decoder knows the real id and attempt.
    public func identified(as invocationID: String, signature: SignatureType, attempt: Int, cloudTask: CloudTaskHeaders? = nil) -> InvocationContext {
        var context = InvocationContext(
            invocationID: invocationID,
            signature: signature,
            attempt: attempt,
            deadline: deadline,
            trace: trace,
            cloudTask: cloudTask ?? self.cloudTask,
            logger: logger
        )
        context.logger[metadataKey: "pixelpipe.signature"] = .string(signature.rawValue)
        if attempt > 1 { context.logger[metadataKey: "pixelpipe.attempt"] = .stringConvertible(attempt) }
        return context
    }
}
