import Foundation

/// One of a job's counter shards, `jobs/JOB/counters/K`: the job's item counts split over
/// several documents, because Firestore sustains about one write per second per document and a
/// job records items as fast as its queue dispatches them (`IMAGE_QUEUE_RATE`, 200/s by
/// default). Item number `ordinal` (0-based, in CSV order) counts on shard `ordinal % N`, so
/// consecutive items spread round-robin and each shard takes about `rate / N` writes a second.
/// Ingest creates the shards with the job, each with `remaining` = the items it will count;
/// every item commit decrements one, and the commit that brings a shard to 0 checks the others.
public struct CounterShard: Codable, Sendable, Equatable {
    /// The document's field names, spelled here once.
    enum CodingKeys: String, CodingKey {
        case succeeded, failed, remaining, lastItemAt
    }

    /// Items counted here as succeeded.
    public var succeeded: Int
    /// Items counted here as failed.
    public var failed: Int
    /// Items this shard still expects; 0 means complete.
    public var remaining: Int
    /// When the last item counted here was recorded (RFC 3339): the watchdog's measure of
    /// progress is the latest over the shards.
    public var lastItemAt: String?

    public init(succeeded: Int = 0, failed: Int = 0, remaining: Int, lastItemAt: String? = nil) {
        self.succeeded = succeeded
        self.failed = failed
        self.remaining = remaining
        self.lastItemAt = lastItemAt
    }

    /// Writes a shard should take per second at most, at the queue's full dispatch rate.
    public static let writesPerSecond = 2.0
    /// Most shards of one job: the job document and every shard are created in one commit, and
    /// a commit holds at most 500 writes. (`IMAGE_QUEUE_RATE` is at most 500/s, so 250 suffice.)
    public static let maximum = 400

    /// How many shards a job of `items` items gets when its queue dispatches at most
    /// `dispatchesPerSecond`: enough that each takes about `writesPerSecond`, never more than
    /// there are items, at least one.
    public static func count(items: Int, dispatchesPerSecond: Double) -> Int {
        let wanted = Int((dispatchesPerSecond / writesPerSecond).rounded(.up))
        return max(1, min(items, wanted, maximum))
    }

    /// The shard item number `ordinal` (0-based, CSV order) counts on.
    public static func shard(ofItem ordinal: Int, shards: Int) -> Int {
        shards <= 1 ? 0 : ((ordinal % shards) + shards) % shards
    }

    /// The shards of a new job of `total` items: shard K expects the items whose ordinal is K
    /// modulo `shards`.
    public static func plan(total: Int, shards: Int) -> [CounterShard] {
        (0..<shards).map { k in CounterShard(remaining: total / shards + (k < total % shards ? 1 : 0)) }
    }

    /// The transform of an item commit: `succeeded`/`failed` incremented, `remaining`
    /// decremented, in that order (the commit's transform results come back in it).
    static func increments(succeeded: Bool) -> [(field: String, by: FirestoreValue)] {
        [
            (CodingKeys.succeeded.stringValue, .integer(succeeded ? 1 : 0)),
            (CodingKeys.failed.stringValue, .integer(succeeded ? 0 : 1)),
            (CodingKeys.remaining.stringValue, .integer(-1)),
        ]
    }

    /// The field an item commit sets besides the increments.
    static func progressFields(recordedAt: String) -> (fields: [String: FirestoreValue], mask: [String]) {
        ([CodingKeys.lastItemAt.stringValue: .string(recordedAt)], [CodingKeys.lastItemAt.stringValue])
    }
}
