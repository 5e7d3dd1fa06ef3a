/// An error that knows whether retrying may help. Handlers may throw these directly; the server
/// answers 503 for transient ones and treats the rest as permanent.
public protocol RetryClassifiedError: Error {
    /// Whether the same request may succeed later.
    var isTransient: Bool { get }
}
