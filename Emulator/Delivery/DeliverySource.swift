/// The store side of one kind of delivery (Cloud Tasks dispatch, Pub/Sub push, storage
/// triggers), as the `DeliveryEngine` sees it: lanes of work, due work claimed under a lease in
/// the same commit that counts the attempt, and the outcome recorded only while that claim
/// still holds, so a crash or a failed write at any point repeats a delivery and never loses one.
protocol DeliverySource: Sendable {
    associatedtype Lane: DeliveryLane
    associatedtype Item: DeliveryItem

    /// Which loop this is, for the recent invocations and the logs.
    var kind: Invocation.Kind { get }

    /// Makes every delivery that a stopped process left in flight due again; returns how many.
    func releaseInFlight(nowMicroseconds: Int64) async throws -> Int

    /// The lanes to deliver now (RUNNING queues, push subscriptions, the triggers' outbox).
    func lanes() async throws -> [Lane]

    /// The earliest time work of `lane` may be claimed (for work in flight, the end of its
    /// lease); nil when the lane is empty.
    func nextDue(in lane: Lane) async throws -> Int64?

    /// Leases up to `limit` due items of `lane` and counts their attempt, in one commit.
    func claimDue(in lane: Lane, limit: Int, nowMicroseconds: Int64) async throws -> [Item]

    /// Records how `item`'s attempt ended; does nothing when that attempt no longer holds it.
    func record(_ outcome: DeliveryOutcome, of item: Item, in lane: Lane, response: DeliveryResponse, nowMicroseconds: Int64) async throws
}

/// A stream of work with limits of its own: a queue, a subscription, the trigger outbox.
protocol DeliveryLane: Sendable, Equatable {
    associatedtype Schedule: RetrySchedule

    /// Its full resource name; limits and in-flight counts are kept per name.
    var name: String { get }
    /// The token bucket's rate and burst, or nil for no rate limit.
    var rateLimit: DeliveryRateLimit? { get }
    /// Deliveries of this lane in flight at most.
    var maxConcurrent: Int { get }
    /// When a failed delivery is attempted again, and when it is given up.
    var schedule: Schedule { get }

    /// Whether an answer with HTTP `status` completes the delivery.
    func accepts(status: Int) -> Bool
}

extension DeliveryLane {
    /// Any 2xx completes a delivery unless the kind says otherwise.
    func accepts(status: Int) -> Bool { (200..<300).contains(status) }
}

/// `maxDispatchesPerSecond` and `maxBurstSize` of a lane, as its `TokenBucket` applies them.
struct DeliveryRateLimit: Sendable, Equatable {
    var perSecond: Double
    var burst: Int
}

/// One claimed piece of work: a task, a message for one subscription, one trigger event.
protocol DeliveryItem: Sendable {
    /// The queue, subscription or trigger it came from, by name.
    var origin: String { get }
    /// The task name, message id or event id.
    var label: String { get }
    /// This attempt's number, 1 for the first.
    var attempt: Int { get }
    /// When the first attempt was made, where the schedule limits the retry duration.
    var firstAttemptMicroseconds: Int64? { get }
    /// When this claim's lease lapses (wall-clock microseconds): after that the item is claimed
    /// again and this attempt's outcome no longer applies.
    var leaseEndMicroseconds: Int64 { get }
}

extension DeliveryItem {
    var firstAttemptMicroseconds: Int64? { nil }
}
