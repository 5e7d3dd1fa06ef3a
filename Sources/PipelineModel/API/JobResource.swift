import Foundation
import GoogleCloud

/// A job as the jobs API shows it (`GET /v1/jobs/{id}`, the answers of `POST /v1/jobs`,
/// `POST /v1/images`, `:cancel` and `:retry`). JSON with camelCase keys, encoded with sorted
/// keys (`APIJSON.encoder`); the contract the `api` service and the `pixelpipe` CLI share.
public struct JobResource: Codable, Sendable, Equatable {
    /// Where a job stands, as users see it.
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// The CSV is stored but ingest has not created the job yet.
        case queued
        /// Images are being processed.
        case running
        /// Every image succeeded.
        case finished
        /// Every item was recorded, some as failed.
        case finishedWithErrors = "finished_with_errors"
        /// The CSV was unusable as a whole (`error` says why).
        case rejected
        /// The deadline passed with items still missing.
        case timedOut = "timed_out"
        /// The job was cancelled before every item was recorded.
        case cancelled

        /// Whether nothing about the job will change any more.
        public var isFinal: Bool { self != .queued && self != .running }
    }

    /// The uploaded CSV the job was made from.
    public struct Source: Codable, Sendable, Equatable {
        /// `gs://BUCKET/NAME#GENERATION`.
        public var uri: String
        /// The file name the user gave (the object name when none was given).
        public var name: String

        /// A source.
        public init(uri: String, name: String) {
            self.uri = uri
            self.name = name
        }
    }

    /// How many items the job has and where they stand.
    public struct Counts: Codable, Sendable, Equatable {
        /// Items the job records: every image URL of every row, plus one per invalid row.
        public var total: Int
        public var succeeded: Int
        public var failed: Int
        /// Items not yet recorded (for a final job: those it was finalized without).
        public var remaining: Int
        /// Items a timed-out job was finalized without.
        public var missing: Int
        /// Items a cancelled job will not process.
        public var cancelled: Int

        /// Counts.
        public init(total: Int, succeeded: Int, failed: Int, remaining: Int, missing: Int, cancelled: Int) {
            self.total = total
            self.succeeded = succeeded
            self.failed = failed
            self.remaining = remaining
            self.missing = missing
            self.cancelled = cancelled
        }
    }

    /// The routes of the job's sub-resources and actions, relative to the API's root.
    public struct Links: Codable, Sendable, Equatable {
        public var `self`: String
        public var items: String
        public var outputCsv: String
        public var results: String
        public var cancel: String
        public var retry: String

        /// The links of job `id`.
        public init(job id: String) {
            self.`self` = "/v1/jobs/\(id)"
            items = "/v1/jobs/\(id)/items"
            outputCsv = "/v1/jobs/\(id)/output.csv"
            results = "/v1/jobs/\(id)/results.ndjson"
            cancel = "/v1/jobs/\(id):cancel"
            retry = "/v1/jobs/\(id):retry"
        }
    }

    /// The job id, 16 lower-case hex digits.
    public var id: String
    public var status: Status
    public var source: Source
    public var counts: Counts
    /// Fraction of items recorded, 0…1.
    public var progress: Double
    /// Items recorded per second so far (running jobs only).
    public var ratePerSecond: Double?
    /// Seconds until every item is recorded at that rate (running jobs only).
    public var etaSeconds: Int?
    /// The effective recipe every image of the job uses.
    public var recipe: JSONValue
    /// Where the job's webhook goes.
    public var webhookUrl: String?
    /// When the job was created (RFC 3339).
    public var createdAt: String
    /// When processing began (RFC 3339).
    public var startedAt: String?
    /// When the job was finalized (RFC 3339).
    public var finishedAt: String?
    /// Why the job was rejected.
    public var error: String?
    /// The uid of the user who submitted the job through the API (absent for a job made from a
    /// bucket upload or folder drop, which only admins see).
    public var owner: String?
    /// The job's trace id (32 hex digits): every stage's logs and Cloud Run's request spans of
    /// the job are in this trace (absent for jobs made before jobs were traced).
    public var traceId: String?
    public var links: Links

    /// A job resource.
    public init(
        id: String, status: Status, source: Source, counts: Counts, progress: Double, ratePerSecond: Double? = nil,
        etaSeconds: Int? = nil, recipe: JSONValue, webhookUrl: String? = nil, createdAt: String, startedAt: String? = nil,
        finishedAt: String? = nil, error: String? = nil, owner: String? = nil, traceId: String? = nil
    ) {
        self.id = id
        self.status = status
        self.source = source
        self.counts = counts
        self.progress = progress
        self.ratePerSecond = ratePerSecond
        self.etaSeconds = etaSeconds
        self.recipe = recipe
        self.webhookUrl = webhookUrl
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
        self.owner = owner
        self.traceId = traceId
        links = Links(job: id)
    }
}
