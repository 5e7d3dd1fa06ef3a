import Foundation

/// Something that works against the emulator but would fail, throttle or cost in Google Cloud,
/// as the dashboard, `/_emulator/status` and the log show it.
struct ScaleWarning: Sendable, Encodable, Equatable {
    enum Kind: String, Sendable, Encodable {
        /// Firestore's documented soft limit: about one sustained write per second per document.
        case documentWriteRate = "document-write-rate"
        /// A push endpoint answered slower than the subscription's ack deadline (Pub/Sub
        /// redelivers the message as if it had been nacked).
        case pushSlowerThanAckDeadline = "push-slower-than-ack-deadline"
    }

    var kind: Kind
    /// The resource concerned: a document or subscription name.
    var resource: String
    var message: String
    /// RFC 3339, when it was last seen.
    var at: String
    /// How many times it was seen.
    var count: Int
}
