import Foundation
import GoogleCloud

/// One of a job's counter shards, `jobs/JOB/counters/K`: the job's item counts split over
/// several documents, because Firestore sustains about one write per second per document and a
/// job records items as fast as its queue dispatches them (`IMAGE_QUEUE_RATE`, 200/s by
/// default). The images of one shard message take the shards round-robin, starting at an offset
/// of the message's own: image `j` of message `m` (0-based, the message's valid image URLs in
/// CSV order) counts on shard `(offset(m) + j) % N`. Populate creates the tasks of several
/// messages at once, so the queue dispatches their images interleaved, each message's at about
/// the same pace; the offsets are spaced by the golden ratio (a Fibonacci hash of `m`), so those
/// messages' round-robins run far apart instead of in step (with plain image numbers, messages of
/// 1,000 images and 100 shards would all start on shard 0 and hit the same shard together), and
/// each shard takes about `rate / N` writes a second. The failed items populate records for
/// invalid rows and URLs are not dispatched by the queue but recorded together, a message's worth
/// in one commit, on shard `offset(m)`: however they are placed in the CSV, one message writes one
/// shard. Ingest creates the shards with the job, each with `remaining` = the items it will
/// count; every item commit decrements it, and the commit that brings a shard to 0 checks the others.
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

    /// Writes a shard should take per second on average at the queue's full dispatch rate: one,
    /// what Firestore sustains on a document, leaving room for bursts (a shard's items are not
    /// dispatched perfectly evenly; at two a second on average, bursts of five were seen).
    public static let writesPerSecond = 1.0
    /// Most shards of one job: the job document and every shard are created in one commit, and
    /// a commit holds at most 500 writes. (`IMAGE_QUEUE_RATE` is at most 500/s, so 250 suffice.)
    public static let maximum = 400

    /// Items a shard counts at the least (when the job is small enough for that to matter): the
    /// item that completes a shard reads every shard to see whether the job is complete, so a job
    /// costs about N² shard reads, and N must not grow with the rate alone while the job is small.
    public static let minimumItems = 10

    /// How many shards a job of `items` items gets when its queue dispatches at most
    /// `dispatchesPerSecond`: enough that each takes about `writesPerSecond`, no more than one
    /// per `minimumItems` items, at least one.
    public static func count(items: Int, dispatchesPerSecond: Double) -> Int {
        let wanted = Int((dispatchesPerSecond / writesPerSecond).rounded(.up))
        let bySize = (items + minimumItems - 1) / minimumItems
        return max(1, min(bySize, wanted, maximum))
    }

    /// Where message `message`'s round-robin starts: ⌊frac(message · φ) · shards⌋ in integers
    /// (the top bits of a Fibonacci hash), so consecutive messages start far apart.
    public static func offset(ofMessage message: Int, shards: Int) -> Int {
        guard shards > 1 else { return 0 }
        let fraction = (UInt64(truncatingIfNeeded: message) &* 0x9E37_79B9_7F4A_7C15) >> 32
        return Int((fraction &* UInt64(shards)) >> 32)
    }

    /// The shard image `image` of shard message `message` counts on (`image` 0-based among the
    /// message's valid image URLs, in CSV order).
    public static func shard(ofImage image: Int, inMessage message: Int = 0, shards: Int) -> Int {
        shards <= 1 ? 0 : (offset(ofMessage: message, shards: shards) + image) % shards
    }

    /// The shard the failed items found in shard message `message` count on.
    public static func shard(ofFailedItemsIn message: Int, shards: Int) -> Int {
        offset(ofMessage: message, shards: shards)
    }

    /// The shards of a new job whose shard message `m` holds `imagesPerMessage[m]` images and
    /// `failedPerMessage[m]` failed items (invalid rows and URLs): each shard expects exactly the
    /// items `shard(ofImage:inMessage:shards:)` and `shard(ofFailedItemsIn:shards:)` send it.
    public static func plan(imagesPerMessage: [Int], failedPerMessage: [Int], shards: Int) -> [CounterShard] {
        guard shards > 0 else { return [] }
        var plan = Array(repeating: CounterShard(remaining: 0), count: shards)
        for (message, images) in imagesPerMessage.enumerated() where images > 0 {
            let offset = offset(ofMessage: message, shards: shards)
            for k in 0..<shards {
                // Images offset, offset + 1, … wrap round: shard offset + i gets ⌈(images − i) / shards⌉.
                let i = (k - offset + shards) % shards
                plan[k].remaining += images / shards + (i < images % shards ? 1 : 0)
            }
        }
        for (message, failed) in failedPerMessage.enumerated() where failed > 0 {
            plan[shard(ofFailedItemsIn: message, shards: shards)].remaining += failed
        }
        return plan
    }

    /// The shards of a new job of `total` images in one message and no failed items.
    public static func plan(total: Int, shards: Int) -> [CounterShard] {
        plan(imagesPerMessage: [total], failedPerMessage: [], shards: shards)
    }

    /// The transform of an item commit counting `succeeded` and `failed` items: both
    /// incremented, `remaining` decremented by their sum, in that order (the commit's transform
    /// results come back in it).
    static func increments(succeeded: Int, failed: Int) -> [(field: String, by: FirestoreValue)] {
        [
            (CodingKeys.succeeded.stringValue, .integer(Int64(succeeded))),
            (CodingKeys.failed.stringValue, .integer(Int64(failed))),
            (CodingKeys.remaining.stringValue, .integer(Int64(-(succeeded + failed)))),
        ]
    }

    /// The field an item commit sets besides the increments.
    static func progressFields(recordedAt: String) -> (fields: [String: FirestoreValue], mask: [String]) {
        ([CodingKeys.lastItemAt.stringValue: .string(recordedAt)], [CodingKeys.lastItemAt.stringValue])
    }
}
