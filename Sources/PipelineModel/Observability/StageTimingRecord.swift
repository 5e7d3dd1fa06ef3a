import Foundation

/// The document `jobs/JOB/timings/KEY`: how long one stage's part of a job took, step by step
/// (ingest; populate once per shard message, `populate-N`; teardown). Written once the part is
/// done, when metrics are on; the emulator's dashboard draws the job's waterfall from these and
/// the items' own timings. Process writes none: its timings ride on each item record.
public struct StageTimingRecord: Codable, Sendable, Equatable {
    /// `ingest`, `populate` or `teardown`.
    public var stage: String
    /// The document id: the stage, and for populate the shard message number.
    public var key: String
    /// The shard message, for populate.
    public var shard: Int?
    public var timings: StepTimings
    /// When the part ended (RFC 3339).
    public var endedAt: String

    public init(stage: String, key: String, shard: Int? = nil, timings: StepTimings, endedAt: String) {
        self.stage = stage
        self.key = key
        self.shard = shard
        self.timings = timings
        self.endedAt = endedAt
    }
}
