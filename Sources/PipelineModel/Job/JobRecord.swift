import Foundation
import GoogleCloud

/// The job document `jobs/JOB`: created by ingest together with its counter shards, finalized
/// by teardown. Item counts are not stored here but in the shards (`CounterShard`), so that no
/// document takes more than a few writes per second however large the job; `JobState` adds
/// them up. Field names are this type's coding keys and nothing else: updates go through
/// `JobRecord.Update`, which encodes with the same keys.
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
        /// A cancel was requested (`cancelRequestedAt`) and teardown finalized the job: the items
        /// not recorded by then are reported as cancelled (`FinalCounts.cancelled`).
        case cancelled

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

        /// `gs://BUCKET/NAME#GENERATION`.
        public var uri: String { "gs://\(bucket)/\(name)#\(generation)" }
    }

    /// `succeeded`, `failed`, `missing` and `cancelled` as teardown froze them; they add up to
    /// the job's `total`.
    public struct FinalCounts: Codable, Sendable, Equatable {
        public var succeeded: Int
        public var failed: Int
        /// Items a timed-out job was finalized without.
        public var missing: Int
        /// Items a cancelled job was finalized without (absent, 0, on documents older than cancel).
        public var cancelled: Int

        public init(succeeded: Int, failed: Int, missing: Int, cancelled: Int = 0) {
            self.succeeded = succeeded
            self.failed = failed
            self.missing = missing
            self.cancelled = cancelled
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            succeeded = try container.decode(Int.self, forKey: .succeeded)
            failed = try container.decode(Int.self, forKey: .failed)
            missing = try container.decode(Int.self, forKey: .missing)
            cancelled = try container.decodeIfPresent(Int.self, forKey: .cancelled) ?? 0
        }
    }

    /// The document's field names, spelled here once.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, status, source, total, rows, invalidRows, shards, counterShards, published, recipe, webhookURL
        case createdAt, deadline, deadlineExtensions, error, errorReport, outputCSV, missing, finalCounts
        case finalizedAt, webhookDeliveredAt, nearDuplicates, cancelRequestedAt, run, resultsNDJSON, retriedAt, owner
        case traceID = "traceId"
    }

    /// The job id (first 16 hex digits of SHA-256 of `bucket/name#generation`).
    public var id: JobID
    public var status: Status
    public var source: Source
    /// Items the job will record: every image URL of every row, plus one per invalid row.
    public var total: Int
    /// Data rows in the CSV.
    public var rows: Int
    /// Data rows that were invalid as a whole (each counted as one failed item).
    public var invalidRows: Int
    /// Shard messages the CSV was split into.
    public var shards: Int
    /// Counter shards `jobs/JOB/counters/0..<counterShards` the items are counted on (absent on
    /// jobs made before counters were sharded, and 0 for rejected jobs).
    public var counterShards: Int?
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
    /// Why the job was rejected.
    public var error: String?
    /// The error report object in the processed bucket, for rejected jobs.
    public var errorReport: String?
    /// The output CSV object in the processed bucket, once written.
    public var outputCSV: String?
    /// Items still missing when a timed-out job was finalized.
    public var missing: Int?
    /// The counts the job was finalized with: those of the items the output CSV was built
    /// from. Images already dispatched when a job times out may still be recorded afterwards;
    /// the summary and webhook keep these, so every retry of the webhook carries the same bytes.
    public var finalCounts: FinalCounts?
    /// When teardown finished the job (RFC 3339).
    public var finalizedAt: String?
    /// When the webhook was acknowledged with a 2xx (RFC 3339); never sent twice once set.
    public var webhookDeliveredAt: String?
    /// Near-duplicate images teardown found, stored when it finalized the job.
    public var nearDuplicates: [NearDuplicate]?
    /// When a cancel was requested (RFC 3339): process starts no image of the job from then on,
    /// and teardown finalizes it as `cancelled`. Cleared by a retry.
    public var cancelRequestedAt: String?
    /// Which run of the job this is: absent (0) for the first, N after the N-th retry. The run's
    /// queue, image tasks, teardown and watchdogs carry it in their names (`PipelineNames`),
    /// since Cloud Tasks remembers the first run's names.
    public var run: Int?
    /// The `results.ndjson` object in the processed bucket (one JSON line per item), once written.
    public var resultsNDJSON: String?
    /// When the latest retry put the job back to running (RFC 3339).
    public var retriedAt: String?
    /// The uid of the user who submitted the CSV through the jobs API (the object's `owner`
    /// metadata); absent for bucket uploads and folder drops.
    public var owner: String?
    /// The job's W3C trace id (32 hex digits): ingest's trace, which every stage continues for
    /// this job (absent on jobs made before jobs were traced).
    public var traceID: String?

    public init(
        id: JobID, status: Status = .running, source: Source, total: Int, rows: Int, invalidRows: Int, shards: Int,
        counterShards: Int? = nil, recipe: String?, webhookURL: String?, createdAt: Date, deadline: Date,
        error: String? = nil, errorReport: String? = nil, owner: String? = nil, traceID: String? = nil
    ) {
        self.owner = owner
        self.traceID = traceID
        self.id = id
        self.status = status
        self.source = source
        self.total = total
        self.rows = rows
        self.invalidRows = invalidRows
        self.shards = shards
        self.counterShards = counterShards ?? (status == .rejected ? 0 : 1)
        self.published = false
        self.recipe = recipe
        self.webhookURL = webhookURL
        self.createdAt = Timestamp.format(createdAt)
        self.deadline = Timestamp.format(deadline)
        self.error = error
        self.errorReport = errorReport
    }
}

extension JobRecord {
    /// A typed change to some fields of the job document: the fields set here are written,
    /// the others keep their values. Encoded with `JobRecord`'s own keys, so a field can only be
    /// updated under the name it is read by.
    public struct Update: Encodable, Sendable, Equatable {
        public var status: Status?
        public var published: Bool?
        public var deadline: String?
        public var deadlineExtensions: Int?
        public var outputCSV: String?
        public var missing: Int?
        public var finalCounts: FinalCounts?
        public var finalizedAt: String?
        public var webhookDeliveredAt: String?
        public var nearDuplicates: [NearDuplicate]?
        public var cancelRequestedAt: String?
        public var run: Int?
        public var resultsNDJSON: String?
        public var retriedAt: String?
        /// Removes what finalization (and a cancel) left on the job — `finalizedAt`, `finalCounts`,
        /// `outputCSV`, `resultsNDJSON`, `missing`, `webhookDeliveredAt`, `nearDuplicates`,
        /// `cancelRequestedAt` — so a retried job is finalized afresh. Fields this update sets win.
        public var clearsFinalization: Bool

        public init(
            status: Status? = nil, published: Bool? = nil, deadline: String? = nil, deadlineExtensions: Int? = nil,
            outputCSV: String? = nil, missing: Int? = nil, finalCounts: FinalCounts? = nil, finalizedAt: String? = nil,
            webhookDeliveredAt: String? = nil, nearDuplicates: [NearDuplicate]? = nil, cancelRequestedAt: String? = nil,
            run: Int? = nil, resultsNDJSON: String? = nil, retriedAt: String? = nil, clearsFinalization: Bool = false
        ) {
            self.cancelRequestedAt = cancelRequestedAt
            self.run = run
            self.resultsNDJSON = resultsNDJSON
            self.retriedAt = retriedAt
            self.clearsFinalization = clearsFinalization
            self.status = status
            self.published = published
            self.deadline = deadline
            self.deadlineExtensions = deadlineExtensions
            self.outputCSV = outputCSV
            self.missing = missing
            self.finalCounts = finalCounts
            self.finalizedAt = finalizedAt
            self.webhookDeliveredAt = webhookDeliveredAt
            self.nearDuplicates = nearDuplicates
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(status, forKey: .status)
            try container.encodeIfPresent(published, forKey: .published)
            try container.encodeIfPresent(deadline, forKey: .deadline)
            try container.encodeIfPresent(deadlineExtensions, forKey: .deadlineExtensions)
            try container.encodeIfPresent(outputCSV, forKey: .outputCSV)
            try container.encodeIfPresent(missing, forKey: .missing)
            try container.encodeIfPresent(finalCounts, forKey: .finalCounts)
            try container.encodeIfPresent(finalizedAt, forKey: .finalizedAt)
            try container.encodeIfPresent(webhookDeliveredAt, forKey: .webhookDeliveredAt)
            try container.encodeIfPresent(nearDuplicates, forKey: .nearDuplicates)
            try container.encodeIfPresent(cancelRequestedAt, forKey: .cancelRequestedAt)
            try container.encodeIfPresent(run, forKey: .run)
            try container.encodeIfPresent(resultsNDJSON, forKey: .resultsNDJSON)
            try container.encodeIfPresent(retriedAt, forKey: .retriedAt)
        }

        /// The fields `clearsFinalization` removes.
        static let finalizationKeys: [CodingKeys] = [
            .finalizedAt, .finalCounts, .outputCSV, .resultsNDJSON, .missing, .webhookDeliveredAt, .nearDuplicates, .cancelRequestedAt,
        ]

        /// The Firestore fields and the update mask naming exactly them (and, with
        /// `clearsFinalization`, the fields to remove: named in the mask, absent from the fields).
        public func fields() throws -> (fields: [String: FirestoreValue], mask: [String]) {
            let fields = try FirestoreCoding.fields(from: self)
            var mask = Set(fields.keys)
            if clearsFinalization { mask.formUnion(Self.finalizationKeys.map(\.stringValue)) }
            return (fields, mask.sorted())
        }

        /// Applies the change to `record`, as the write does to the document.
        public func apply(to record: inout JobRecord) {
            if clearsFinalization {
                record.finalizedAt = nil
                record.finalCounts = nil
                record.outputCSV = nil
                record.resultsNDJSON = nil
                record.missing = nil
                record.webhookDeliveredAt = nil
                record.nearDuplicates = nil
                record.cancelRequestedAt = nil
            }
            if let status { record.status = status }
            if let published { record.published = published }
            if let deadline { record.deadline = deadline }
            if let deadlineExtensions { record.deadlineExtensions = deadlineExtensions }
            if let outputCSV { record.outputCSV = outputCSV }
            if let missing { record.missing = missing }
            if let finalCounts { record.finalCounts = finalCounts }
            if let finalizedAt { record.finalizedAt = finalizedAt }
            if let webhookDeliveredAt { record.webhookDeliveredAt = webhookDeliveredAt }
            if let nearDuplicates { record.nearDuplicates = nearDuplicates }
            if let cancelRequestedAt { record.cancelRequestedAt = cancelRequestedAt }
            if let run { record.run = run }
            if let resultsNDJSON { record.resultsNDJSON = resultsNDJSON }
            if let retriedAt { record.retriedAt = retriedAt }
        }
    }
}
