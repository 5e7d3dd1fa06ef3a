import Foundation

/// The job document `jobs/JOB`: created by ingest, counted by populate and process in the same
/// commits that create item documents, finalized by teardown. The emulator's dashboard and
/// `GET /jobs/{id}` read it.
public struct JobRecord: Codable, Sendable, Equatable {
    /// Where a job stands.
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Accepted; images are being processed.
        case running
        /// Every image succeeded and the job was finalized.
        case finished
        /// Every item was recorded, some as failed, and the job was finalized.
        case finishedWithErrors = "finished_with_errors"
        /// The CSV was structurally unusable (`error` says why); nothing was processed.
        case rejected
        /// The deadline passed with items still missing (`missing` counts them).
        case timedOut = "timed_out"

        /// Whether teardown has nothing left to decide.
        public var isFinal: Bool { self != .running }
    }

    /// The uploaded CSV the job was made from.
    public struct Source: Codable, Sendable, Equatable {
        public var bucket: String
        public var name: String
        /// The object generation, as Storage writes it (a decimal string).
        public var generation: String

        public init(bucket: String, name: String, generation: String) {
            self.bucket = bucket
            self.name = name
            self.generation = generation
        }
    }

    /// The job id (first 16 hex digits of SHA-256 of `bucket/name#generation`).
    public var id: String
    public var status: Status
    public var source: Source
    /// Items the job will record: every image URL of every row, plus one per invalid row.
    public var total: Int
    /// Items recorded as succeeded (incremented in item commits).
    public var succeeded: Int
    /// Items recorded as failed (incremented in item commits).
    public var failed: Int
    /// Items not yet recorded: starts at `total`, decremented in item commits; 0 means complete.
    public var remaining: Int
    /// Data rows in the CSV.
    public var rows: Int
    /// Data rows that were invalid as a whole (each counted as one failed item).
    public var invalidRows: Int
    /// Shard messages the CSV was split into.
    public var shards: Int
    /// Set once every shard is published and the watchdog scheduled; a repeated finalize event
    /// for a published job changes nothing.
    public var published: Bool
    /// The recipe every image of the job uses, as JSON (the default with the CSV's override applied).
    public var recipe: String?
    /// Where the webhook goes (`webhook-url` metadata of the CSV, else configuration).
    public var webhookURL: String?
    /// When ingest created the job (RFC 3339).
    public var createdAt: String
    /// When the watchdog finalizes the job if it is not complete (RFC 3339); it grows with the
    /// job's size, and the watchdog moves it on while items are still being recorded.
    public var deadline: String
    /// How many times the watchdog moved the deadline on because the job was still progressing.
    public var deadlineExtensions: Int?
    /// When the last item was recorded (RFC 3339), set in the item's own commit: the watchdog's
    /// measure of progress.
    public var lastItemAt: String?
    /// Why the job was rejected.
    public var error: String?
    /// The error report object in the processed bucket, for rejected jobs.
    public var errorReport: String?
    /// The output CSV object in the processed bucket, once written.
    public var outputCSV: String?
    /// Items still missing when a timed-out job was finalized.
    public var missing: Int?
    /// The counts the job was finalized with. Images already dispatched when a job times out may
    /// still be recorded afterwards; the summary and webhook keep these, so every retry of the
    /// webhook carries the same bytes.
    public var finalCounts: FinalCounts?
    /// When teardown finished the job (RFC 3339).
    public var finalizedAt: String?
    /// When the webhook was acknowledged with a 2xx (RFC 3339); never sent twice once set.
    public var webhookDeliveredAt: String?

    public init(
        id: String, status: Status = .running, source: Source, total: Int, rows: Int, invalidRows: Int, shards: Int,
        recipe: String?, webhookURL: String?, createdAt: Date, deadline: Date, error: String? = nil, errorReport: String? = nil
    ) {
        self.id = id
        self.status = status
        self.source = source
        self.total = total
        self.succeeded = 0
        self.failed = 0
        self.remaining = total
        self.rows = rows
        self.invalidRows = invalidRows
        self.shards = shards
        self.published = false
        self.recipe = recipe
        self.webhookURL = webhookURL
        self.createdAt = Timestamp.format(createdAt)
        self.deadline = Timestamp.format(deadline)
        self.error = error
        self.errorReport = errorReport
    }

    /// `succeeded`, `failed` and `missing` as teardown froze them.
    public struct FinalCounts: Codable, Sendable, Equatable {
        public var succeeded: Int
        public var failed: Int
        public var missing: Int

        public init(succeeded: Int, failed: Int, missing: Int) {
            self.succeeded = succeeded
            self.failed = failed
            self.missing = missing
        }
    }

    /// Whether every item has been recorded.
    public var isComplete: Bool { remaining <= 0 }

    /// Fraction of items recorded, 0…1 (1 for a job with no items).
    public var progress: Double { total == 0 ? 1 : Double(total - max(remaining, 0)) / Double(total) }
}
