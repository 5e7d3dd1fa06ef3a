import PixelPipeCore
/// Why an invocation did not succeed, classified by what the caller should do next; the server
/// maps it to the status codes Pub/Sub, Cloud Tasks and Eventarc act on.
///
/// - `malformed`: the request is not a valid invocation of this function → 400.
/// - `transient`: try again later → 503 (with `Retry-After` when known).
/// - `permanent`: the input can never succeed → acknowledged with 200 for queue-driven
///   signatures (so it is not redelivered forever) and 422 for direct HTTP calls.
/// - `notImplemented`: the function does not handle this yet → 501.
public struct InvocationError: Error, Sendable, CustomStringConvertible {
    /// What the caller should do with the request.
    public enum Disposition: String, Sendable {
        case malformed, transient, permanent, notImplemented
    }

    /// What the caller should do with the request.
    public let disposition: Disposition
    /// Why, naming the offending input.
    public let reason: String
    /// For transient errors: when a retry is worth trying.
    public let retryAfter: Duration?

    private init(_ disposition: Disposition, _ reason: String, retryAfter: Duration? = nil) {
        self.disposition = disposition
        self.reason = reason
        self.retryAfter = retryAfter
    }

    /// The request is not a valid invocation (bad headers, envelope or payload).
    public static func malformed(_ reason: String) -> InvocationError { .init(.malformed, reason) }
    /// A dependency failed in a way that may pass; the caller should retry.
    public static func transient(_ reason: String, retryAfter: Duration? = nil) -> InvocationError {
        .init(.transient, reason, retryAfter: retryAfter)
    }
    /// The input can never succeed; acknowledge it so it is not redelivered.
    public static func permanent(_ reason: String) -> InvocationError { .init(.permanent, reason) }
    /// The function does not support this request yet.
    public static func notImplemented(_ reason: String) -> InvocationError { .init(.notImplemented, reason) }

    public var description: String { "\(disposition.rawValue): \(reason)" }
}

extension InvocationError {
    /// The classification of any error a handler threw; nil for unclassified errors (→ 500).
    static func classifying(_ error: any Error) -> InvocationError? {
        if let error = error as? InvocationError { return error }
        if let error = error as? any RetryClassifiedError {
            return error.isTransient ? .transient(String(describing: error)) : .permanent(String(describing: error))
        }
        return nil
    }
}

/// A handler failure carrying the context the handler had identified (event id, task name), so
/// the server's log line about it names the invocation rather than a generated request id.
struct IdentifiedFailure: Error {
    let underlying: any Error
    let context: InvocationContext
}

extension InvocationContext {
    /// Runs `body`, tagging any error it throws with this context.
    func tagging<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw IdentifiedFailure(underlying: error, context: self)
        }
    }
}
