import Logging
import PixelPipeCore

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
    /// The request's trace, when the caller sent one (not read with tracing off).
    public var trace: TraceContext?
    /// The span this invocation runs in: the caller's trace continued (a new one when none came)
    /// with a span id of its own. The framework makes it `TraceParent.current` while the handler
    /// runs, so the Google API calls, messages and tasks the handler makes carry it. Nil when
    /// tracing is off (`TracingConfiguration`): then nothing the handler sends carries a trace.
    public var span: TraceParent?
    /// The Cloud Tasks headers, for `cloudTask` invocations.
    public var cloudTask: CloudTaskHeaders?
    /// A logger for this invocation, with `pixelpipe.invocation` and the span's trace set.
    public var logger: Logger

    public init(
        invocationID: String,
        signature: SignatureType,
        attempt: Int = 1,
        deadline: ContinuousClock.Instant,
        trace: TraceContext? = nil,
        span: TraceParent? = nil,
        tracing: TracingConfiguration = TracingConfiguration(),
        cloudTask: CloudTaskHeaders? = nil,
        logger: Logger
    ) {
        self.invocationID = invocationID
        self.signature = signature
        self.attempt = attempt
        self.deadline = deadline
        self.cloudTask = cloudTask
        self.logger = logger
        if tracing.enabled {
            let span = span ?? trace.map { TraceParent.newSpan(inTrace: $0.traceID, sampled: $0.sampled) } ?? .newTrace(sampled: false)
            self.trace = trace
            self.span = span
            self.logger = logger.tracing(span)
        } else {
            self.trace = nil
            self.span = nil
        }
        self.logger[metadataKey: "pixelpipe.invocation"] = .string(invocationID)
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
            span: span,
            tracing: TracingConfiguration(enabled: span != nil),
            cloudTask: cloudTask ?? self.cloudTask,
            logger: logger
        )
        context.logger[metadataKey: "pixelpipe.signature"] = .string(signature.rawValue)
        if attempt > 1 { context.logger[metadataKey: "pixelpipe.attempt"] = .stringConvertible(attempt) }
        return context
    }

    /// This context continuing `parent`'s trace in a new span: for work whose trace came in
    /// the payload rather than the request headers (a Pub/Sub message's `traceparent`). An
    /// untraced context (tracing off) stays untraced.
    public func continuing(_ parent: TraceParent) -> InvocationContext {
        guard span != nil else { return self }
        var context = self
        let span = parent.childSpan()
        context.span = span
        context.logger = logger.tracing(span)
        return context
    }

    /// Runs `body` with this context's span as `TraceParent.current`; untraced, just runs it.
    public func withSpan<T>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T) async rethrows -> T {
        guard let span else { return try await body() }
        return try await TraceParent.withCurrent(span, isolation: isolation, body)
    }
}

extension Logger {
    /// This logger with `span`'s trace, span id and sampling decision in its metadata, which
    /// `CloudLogHandler` writes as `logging.googleapis.com/trace`, `…/spanId` and `…/trace_sampled`.
    public func tracing(_ span: TraceParent) -> Logger {
        var logger = self
        for (key, value) in span.logMetadata { logger[metadataKey: key] = value }
        return logger
    }
}

extension TraceParent {
    /// The log metadata naming this span.
    public var logMetadata: Logger.Metadata {
        [
            CloudLogHandler.traceKey: .string(traceID),
            CloudLogHandler.spanKey: .string(spanID),
            CloudLogHandler.sampledKey: .string(sampled ? "true" : "false"),
        ]
    }
}
