import Foundation

/// A job as it stands: its document plus the counts summed over its counter shards. The one
/// place progress is computed; the status route, teardown, the ledger and the emulator's
/// dashboard all read jobs through it. The document's fields read through (`state.status`).
@dynamicMemberLookup
public struct JobState: Sendable, Equatable {
    public var record: JobRecord
    /// The job document's update time when it was read (teardown's write is conditional on it).
    public var updateTime: String?
    /// Items recorded as succeeded, over all shards.
    public var succeeded: Int
    /// Items recorded as failed, over all shards.
    public var failed: Int
    /// Items the shards still expect.
    public var shardRemaining: Int
    /// The latest item commit over the shards (RFC 3339).
    public var lastItemAt: String?

    public init(record: JobRecord, counters: [CounterShard], updateTime: String? = nil) {
        self.record = record
        self.updateTime = updateTime
        succeeded = counters.reduce(0) { $0 + $1.succeeded }
        failed = counters.reduce(0) { $0 + $1.failed }
        shardRemaining = counters.reduce(0) { $0 + max($1.remaining, 0) }
        lastItemAt = counters.compactMap(\.lastItemAt).max { (Timestamp.parse($0) ?? .distantPast) < (Timestamp.parse($1) ?? .distantPast) }
    }

    public subscript<Value>(dynamicMember keyPath: KeyPath<JobRecord, Value>) -> Value {
        record[keyPath: keyPath]
    }

    /// Items not yet recorded; 0 means complete.
    public var remaining: Int { max(0, record.total - succeeded - failed) }

    /// Whether every item has been recorded.
    public var isComplete: Bool { remaining == 0 }

    /// Fraction of items recorded, 0…1 (1 for a job with no items).
    public var progress: Double {
        record.total == 0 ? 1 : min(1, Double(succeeded + failed) / Double(record.total))
    }
}
