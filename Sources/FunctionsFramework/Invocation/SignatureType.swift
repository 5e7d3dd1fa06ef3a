/// The closed set of ways a function is invoked, as in the Functions Framework.
public enum SignatureType: String, Sendable, CaseIterable {
    /// CloudEvents 1.0 over HTTP, binary or structured mode (Eventarc).
    case cloudEvent
    /// A Pub/Sub push subscription's JSON envelope.
    case pubSubPush
    /// A Cloud Tasks HTTP target request with `X-CloudTasks-*` headers.
    case cloudTask
    /// Any other HTTP request (the direct API).
    case http
}
