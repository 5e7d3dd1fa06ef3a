import Foundation

/// A job as users see it, in one JSON shape wherever it is shown: `GET /jobs/{id}`, the answer
/// of `POST /jobs/{id}/finalize`, and the webhook body. Encoded with sorted keys; once the job
/// is finalized every field comes from the job document's frozen values (`finalCounts`), so a
/// retried webhook carries the same bytes and signature as the first attempt.
public struct JobView: Codable, Sendable, Equatable {
    public var job: JobID
    public var status: JobRecord.Status
    /// `gs://BUCKET/NAME#GENERATION` of the uploaded CSV.
    public var source: String
    public var total: Int
    public var succeeded: Int
    public var failed: Int
    /// Items not yet recorded (for a finalized job: those it was finalized without, `missing` +
    /// `cancelled`), so `succeeded + failed + remaining == total` always.
    public var remaining: Int
    /// Items a timed-out job was finalized without; 0 otherwise.
    public var missing: Int
    /// Items a cancelled job was finalized without; 0 otherwise (also while a requested cancel
    /// is being finalized: until then the items are `remaining`).
    public var cancelled: Int
    /// When a cancel was requested, while the job is being cancelled (and after, until a retry).
    public var cancelRequestedAt: String?
    /// Which run of the job this is: N after the N-th retry; absent for the first run.
    public var run: Int?
    /// Fraction of items recorded, 0…1.
    public var progress: Double
    public var createdAt: String
    public var deadline: String
    public var finalizedAt: String?
    /// The output CSV's link, once written (absent for rejected jobs).
    public var outputCSV: String?
    /// The `results.ndjson` link (one JSON line per item), once written.
    public var resultsNDJSON: String?
    /// The error report's link (rejected jobs).
    public var errorReport: String?
    /// Why the job was rejected.
    public var error: String?
    public var nearDuplicates: [NearDuplicate]

    /// The view of `state`, objects linked as `links` says in `bucket` (the processed bucket).
    public init(_ state: JobState, links: ObjectLinks, bucket: String) {
        let record = state.record
        job = record.id
        status = record.status
        source = record.source.uri
        total = record.total
        let counts = state.shown
        succeeded = counts.succeeded
        failed = counts.failed
        missing = counts.missing
        cancelled = counts.cancelled
        remaining = counts.remaining
        progress = counts.progress
        createdAt = record.createdAt
        deadline = record.deadline
        finalizedAt = record.finalizedAt
        outputCSV = record.outputCSV.map { links.url(bucket: bucket, name: $0) }
        resultsNDJSON = record.resultsNDJSON.map { links.url(bucket: bucket, name: $0) }
        cancelRequestedAt = record.cancelRequestedAt
        run = record.run.flatMap { $0 == 0 ? nil : $0 }
        errorReport = record.errorReport.map { links.url(bucket: bucket, name: $0) }
        error = record.error
        nearDuplicates = record.nearDuplicates ?? []
    }

    /// The exact bytes answered, sent and signed.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
