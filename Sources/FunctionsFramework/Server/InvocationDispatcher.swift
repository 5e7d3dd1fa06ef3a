import Foundation
import HTTPTypes
import Logging
import PixelPipeCore

/// Runs a byte-level handler and turns its outcome into the status code the caller acts on
/// (ARCHITECTURE §3). Pure over `InvocationRequest`, so tests drive it without sockets.
public struct InvocationDispatcher: Sendable {
    private let configuration: FunctionConfiguration
    private let tracing: TracingConfiguration
    private let logger: Logger

    /// A dispatcher serving with `configuration`; with `tracing` off, invocations run untraced.
    public init(configuration: FunctionConfiguration, tracing: TracingConfiguration = TracingConfiguration(), logger: Logger) {
        self.configuration = configuration
        self.tracing = tracing
        self.logger = logger
    }

    /// The context every invocation starts from, before its signature names it.
    public func baseContext(for request: InvocationRequest, signature: SignatureType) -> InvocationContext {
        let requestID = request.header("X-Request-Id") ?? Self.generatedID()
        return InvocationContext(
            invocationID: requestID,
            signature: signature,
            deadline: .now + configuration.requestTimeout,
            // Untraced, the request's trace headers are not even read.
            trace: tracing.enabled ? TraceContext(headers: request.headers) : nil,
            tracing: tracing,
            logger: logger
        )
    }

    /// Calls `handler` and maps success, thrown `InvocationError`s and other errors to a response.
    public func respond(to request: InvocationRequest, with handler: any InvocationHandler, signature: SignatureType) async -> InvocationResponse {
        let started = ContinuousClock.now
        let context = baseContext(for: request, signature: signature)
        let response: InvocationResponse
        do {
            response = try await context.withSpan { try await handler.handle(request, context: context) }
        } catch let failure as IdentifiedFailure {
            return failureResponse(failure.underlying, signature: signature, logger: failure.context.logger)
        } catch {
            return failureResponse(error, signature: signature, logger: context.logger)
        }
        context.logger.debug("invocation finished", metadata: [
            "pixelpipe.status": .stringConvertible(response.status.code),
            "pixelpipe.duration_ms": .stringConvertible((ContinuousClock.now - started).milliseconds),
        ])
        return response
    }

    private func failureResponse(_ error: any Error, signature: SignatureType, logger: Logger) -> InvocationResponse {
        guard let classified = InvocationError.classifying(error) else {
            logger.error("invocation failed with an unclassified error", metadata: ["pixelpipe.error": "\(error)"])
            return Self.errorResponse(status: .internalServerError, disposition: "internal", reason: "internal error")
        }
        let metadata: Logger.Metadata = ["pixelpipe.reason": .string(classified.reason)]
        switch classified.disposition {
        case .malformed:
            logger.warning("rejected a malformed invocation", metadata: metadata)
            return Self.errorResponse(status: .badRequest, disposition: "malformed", reason: classified.reason)
        case .transient:
            logger.warning("invocation failed transiently; asking for a retry", metadata: metadata)
            var response = Self.errorResponse(status: .serviceUnavailable, disposition: "transient", reason: classified.reason)
            if let retryAfter = classified.retryAfter {
                response.headers[.retryAfter] = String(max(1, Int((Double(retryAfter.milliseconds) / 1000).rounded(.up))))
            }
            return response
        case .permanent:
            logger.error("invocation failed permanently", metadata: metadata)
            // Queue-driven callers retry anything but 2xx; a permanently bad input is
            // acknowledged so it is not redelivered until it expires.
            let status: HTTPResponse.Status = signature == .http ? .unprocessableContent : .ok
            return Self.errorResponse(status: status, disposition: "permanent", reason: classified.reason)
        case .notImplemented:
            logger.warning("invocation not handled: not implemented", metadata: metadata)
            return Self.errorResponse(status: .notImplemented, disposition: "notImplemented", reason: classified.reason)
        }
    }

    /// `{"error":{"code":…,"disposition":…,"message":…}}`.
    static func errorResponse(status: HTTPResponse.Status, disposition: String, reason: String) -> InvocationResponse {
        struct Body: Encodable {
            struct Detail: Encodable { var code: Int; var disposition: String; var message: String }
            var error: Detail
        }
        let body = Body(error: .init(code: status.code, disposition: disposition, message: reason))
        // Encoding three plain fields cannot fail.
        return (try? InvocationResponse.json(body, status: status)) ?? InvocationResponse(status: status)
    }

    private static func generatedID() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next(), radix: 16) + String(generator.next() >> 32, radix: 16)
    }
}
