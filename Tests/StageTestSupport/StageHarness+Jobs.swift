#if DEBUG
import Foundation
import GoogleCloud
import PipelineModel

/// A job's item counts as the stages account them.
public struct JobCounts: Sendable, Equatable, CustomStringConvertible {
    public var succeeded: Int
    public var failed: Int
    public var remaining: Int

    public init(succeeded: Int, failed: Int, remaining: Int) {
        self.succeeded = succeeded
        self.failed = failed
        self.remaining = remaining
    }

    public var description: String { "succeeded \(succeeded), failed \(failed), remaining \(remaining)" }
}

/// How the stage tests read and write a job's documents: all through the pipeline's own
/// `JobStore`, the one place the document layout (counter shards, padded item ids) is known.
extension StageHarness {
    /// The job store over the harness's Firestore client.
    public var jobs: JobStore { JobStore(firestore: clients.firestore) }

    /// The job document, decoded; nil when there is none.
    public func job(_ id: JobID) async throws -> JobRecord? {
        try await jobs.record(id)?.record
    }

    /// The job's document update time, which changes with every write to it.
    public func jobUpdateTime(_ id: JobID) async throws -> String? {
        try await jobs.record(id)?.updateTime
    }

    /// The job's counts summed over its counter shards, nil when the job does not exist.
    public func counts(_ id: JobID) async throws -> JobCounts? {
        try await jobs.state(id).map { JobCounts(succeeded: $0.succeeded, failed: $0.failed, remaining: $0.remaining) }
    }

    /// Item `row-index` of the job, decoded; nil when not recorded.
    public func item(_ job: JobID, row: Int, index: Int = 1) async throws -> ItemRecord? {
        try await jobs.item(job, row: row, index: index)
    }

    /// Every recorded item of the job, in row then image order.
    public func items(_ job: JobID) async throws -> [ItemRecord] {
        try await jobs.allItems(job)
    }

    /// Writes `record` as the job document with its counter shards (as ingest would have, or as
    /// a test needs it), the counts given as `counts` held by the first shard, and creates the
    /// job's image queue when it is running.
    public func writeJob(_ record: JobRecord, counts: JobCounts? = nil, createQueue: Bool = true) async throws {
        var record = record
        if record.counterShards == nil { record.counterShards = 1 }
        var shards = CounterShard.plan(total: record.total, shards: record.counterShards ?? 1)
        if let counts {
            shards = shards.map { _ in CounterShard(remaining: 0) }
            shards[0] = CounterShard(succeeded: counts.succeeded, failed: counts.failed, remaining: counts.remaining)
        }
        if try await jobs.record(record.id) == nil {
            try await jobs.create(record, counters: shards)
        } else {
            // Rewriting an existing job (a test moving it on): the document as given, shards kept
            // unless counts are given.
            _ = try await clients.firestore.patch(PipelineNames.jobDocument(job: record.id), fields: try FirestoreCoding.fields(from: record))
            if counts != nil {
                for (k, shard) in shards.enumerated() { try await jobs.put(shard, job: record.id, shard: k) }
            }
        }
        if createQueue, record.status == .running {
            do {
                _ = try await clients.tasks.createQueue(
                    PipelineNames.imageQueue(job: record.id), rateLimits: configuration.imageQueue.rateLimits, retryConfig: configuration.imageQueue.retryConfig
                )
            } catch let error as GoogleCloud.GoogleAPIError where error.isAlreadyExists {}
        }
    }

    /// Writes an item document as process (or populate, for failed items) would, without counting it.
    public func writeItem(_ item: ItemRecord, job: JobID) async throws {
        try await jobs.put(item, job: job)
    }

    /// Sets when the job last recorded an item (the watchdog's measure of progress), on its
    /// first counter shard, keeping that shard's counts.
    public func setLastItemAt(_ id: JobID, _ date: Date) async throws {
        var shard = try await jobs.counters(id).first ?? CounterShard(remaining: 0)
        shard.lastItemAt = Timestamp.format(date)
        try await jobs.put(shard, job: id, shard: 0)
    }

    /// Writes the finalizer lease as another invocation `holder` would have, expiring at `expiresAt`.
    public func holdFinalizerLease(_ job: JobID, holder: String, expiresAt: Date) async throws {
        let lease = FinalizerLeaseRecord(holder: holder, expiresAt: Timestamp.format(expiresAt))
        if let current = try await jobs.lease(job) {
            _ = try await jobs.putLease(lease, job: job, precondition: current.updateTime.map { .updateTime($0) } ?? .exists(true))
        } else {
            _ = try await jobs.putLease(lease, job: job, precondition: .exists(false))
        }
    }

    /// Whether the job's finalizer lease document exists.
    public func finalizerLeaseExists(_ job: JobID) async throws -> Bool {
        try await jobs.lease(job) != nil
    }

    /// A running job record for `id`, as ingest creates it, expecting `total` items.
    public func runningJob(
        _ id: JobID, total: Int, rows: Int? = nil, recipe: String? = "{}", webhookURL: String? = nil,
        source: JobRecord.Source? = nil, deadline: Date = Date().addingTimeInterval(3600)
    ) -> JobRecord {
        var record = JobRecord(
            id: id, source: source ?? .init(bucket: configuration.uploadsBucket, name: "\(id).csv", generation: "1"),
            total: total, rows: rows ?? total, invalidRows: 0, shards: 1, counterShards: 1, recipe: recipe, webhookURL: webhookURL,
            createdAt: Date(), deadline: deadline
        )
        record.published = true
        return record
    }
}
#endif
