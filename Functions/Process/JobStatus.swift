import PipelineModel

/// What `GET /jobs/{id}` answers: where a job stands, from its document.
struct JobStatus: Encodable, Equatable {
    var id: String
    var status: JobRecord.Status
    var total: Int
    var succeeded: Int
    var failed: Int
    var remaining: Int
    /// Fraction of items recorded, 0…1.
    var progress: Double
    var createdAt: String
    var deadline: String
    var finalizedAt: String?
    /// Why the job was rejected.
    var error: String?
    /// Items still missing when a timed-out job was finalized.
    var missing: Int?
    /// The output CSV's link, once written.
    var outputCSV: String?

    init(_ record: JobRecord, bucket: String, links: ObjectLinks) {
        id = record.id
        status = record.status
        total = record.total
        succeeded = record.succeeded
        failed = record.failed
        remaining = max(record.remaining, 0)
        progress = record.progress
        createdAt = record.createdAt
        deadline = record.deadline
        finalizedAt = record.finalizedAt
        error = record.error
        missing = record.missing
        outputCSV = record.outputCSV.map { links.url(bucket: bucket, name: $0) }
    }
}
