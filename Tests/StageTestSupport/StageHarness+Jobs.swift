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

/// Where the job and item documents live and how they read and write: the one place the stage
/// tests know the document layout, so a change of schema (typed ids, sharded counters, padded
/// item ids) is adapted here rather than in every test.
extension StageHarness {
    /// The job document, decoded; nil when there is none.
    public func job(_ id: String) async throws -> JobRecord? {
        try await clients.firestore.document(PipelineNames.jobDocument(job: id))?.decode(JobRecord.self)
    }

    /// The job's document update time, which changes with every write to it.
    public func jobUpdateTime(_ id: String) async throws -> String? {
        try await clients.firestore.document(PipelineNames.jobDocument(job: id))?.updateTime
    }

    /// The job's counts, nil when the job does not exist.
    public func counts(_ id: String) async throws -> JobCounts? {
        try await job(id).map { JobCounts(succeeded: $0.succeeded, failed: $0.failed, remaining: $0.remaining) }
    }

    /// Item `row-index` of the job, decoded; nil when not recorded.
    public func item(_ job: String, row: Int, index: Int = 1) async throws -> ItemRecord? {
        try await clients.firestore.document(PipelineNames.itemDocument(job: job, row: row, index: index))?.decode(ItemRecord.self)
    }

    /// Every recorded item of the job, in row then image order.
    public func items(_ job: String) async throws -> [ItemRecord] {
        try await clients.firestore.listAll("\(PipelineNames.jobDocument(job: job))/items")
            .map { try $0.decode(ItemRecord.self) }
            .sorted { ($0.row, $0.index) < ($1.row, $1.index) }
    }

    /// Writes `record` as the job document (as ingest would have, or as a test needs it),
    /// including `counts` when given, and creates the job's image queue when it is running.
    public func writeJob(_ record: JobRecord, counts: JobCounts? = nil, createQueue: Bool = true) async throws {
        var record = record
        if let counts {
            (record.succeeded, record.failed, record.remaining) = (counts.succeeded, counts.failed, counts.remaining)
        }
        _ = try await clients.firestore.patch(PipelineNames.jobDocument(job: record.id), fields: try FirestoreCoding.fields(from: record))
        if createQueue, record.status == .running {
            do {
                _ = try await clients.tasks.createQueue(
                    PipelineNames.imageQueue(job: record.id), rateLimits: configuration.imageQueue.rateLimits, retryConfig: configuration.imageQueue.retryConfig
                )
            } catch let error as GoogleAPIError where error.isAlreadyExists {}
        }
    }

    /// Writes an item document as process (or populate, for failed items) would, without counting it.
    public func writeItem(_ item: ItemRecord, job: String) async throws {
        _ = try await clients.firestore.patch(PipelineNames.itemDocument(job: job, row: item.row, index: item.index), fields: try FirestoreCoding.fields(from: item))
    }

    /// Sets when the job last recorded an item (the watchdog's measure of progress).
    public func setLastItemAt(_ id: String, _ date: Date) async throws {
        _ = try await clients.firestore.patch(PipelineNames.jobDocument(job: id), fields: ["lastItemAt": .string(Timestamp.format(date))], mask: ["lastItemAt"])
    }

    /// The path of the job's finalizer lease document.
    public static func finalizerLease(_ job: String) -> String { "\(PipelineNames.jobDocument(job: job))/leases/finalizer" }

    /// Writes the finalizer lease as another invocation `holder` would have, expiring at `expiresAt`.
    public func holdFinalizerLease(_ job: String, holder: String, expiresAt: Date) async throws {
        _ = try await clients.firestore.patch(Self.finalizerLease(job), fields: ["holder": .string(holder), "expiresAt": .string(Timestamp.format(expiresAt))])
    }

    /// Whether the job's finalizer lease document exists.
    public func finalizerLeaseExists(_ job: String) async throws -> Bool {
        try await clients.firestore.document(Self.finalizerLease(job)) != nil
    }

    /// A running job record for `id`, as ingest creates it, expecting `total` items.
    public func runningJob(
        _ id: String, total: Int, rows: Int? = nil, recipe: String? = "{}", webhookURL: String? = nil,
        source: JobRecord.Source? = nil, deadline: Date = Date().addingTimeInterval(3600)
    ) -> JobRecord {
        var record = JobRecord(
            id: id, source: source ?? .init(bucket: configuration.uploadsBucket, name: "\(id).csv", generation: "1"),
            total: total, rows: rows ?? total, invalidRows: 0, shards: 1, recipe: recipe, webhookURL: webhookURL,
            createdAt: Date(), deadline: deadline
        )
        record.published = true
        return record
    }
}
#endif
