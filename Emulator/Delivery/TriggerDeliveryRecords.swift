import Foundation

// The values the delivery engine exchanges with `TriggerDeliverySource`.

/// The storage triggers' one lane: every trigger's events, with no limit but the claim batch,
/// each event sent on its own so a slow service delays only its own deliveries.
struct TriggerLane: DeliveryLane {
    var name = "storage-triggers"
    /// Eventarc-like backoff: retried until a 2xx, never given up.
    var schedule = PushRetrySchedule(minimumBackoff: .seconds(1), maximumBackoff: .seconds(60))

    var rateLimit: DeliveryRateLimit? { nil }
    var maxConcurrent: Int { .max }
}

/// One trigger event claimed for one delivery: a CloudEvent in binary mode, stored whole when
/// the object changed.
struct TriggerDelivery: DeliveryItem {
    var id: Int64
    var trigger: String
    /// The topology service it goes to, and the path on it.
    var service: String
    var path: String
    /// The `ce-*` headers and content type.
    var headers: [String: String]
    var body: Data
    var attempt: Int
    var leaseEndMicroseconds: Int64

    var origin: String { trigger }
    var label: String { headers["ce-id"] ?? "" }
}
