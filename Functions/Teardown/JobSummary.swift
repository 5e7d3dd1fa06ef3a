import Foundation
import PipelineModel

/// What a finalized job is, as the webhook body and the direct API's answer. Built from the job
/// document alone and encoded with sorted keys, so a retried webhook carries the same bytes
/// (and the same signature) as the first attempt.
struct JobSummary: Codable, Sendable, Equatable {
    var job: String
    var status: JobRecord.Status
    /// `gs://BUCKET/NAME#GENERATION` of the uploaded CSV.
    var source: String
    var total: Int
    var succeeded: Int
    var failed: Int
    var missing: Int
    /// The output CSV's link (absent for rejected jobs).
    var outputCSV: String?
    /// The error report's link (rejected jobs).
    var errorReport: String?
    /// Why the job was rejected.
    var error: String?
    var finalizedAt: String?
    var nearDuplicates: [NearDuplicate]

    init(job: JobRecord, nearDuplicates: [NearDuplicate], configuration: PipelineConfiguration) {
        self.job = job.id
        status = job.status
        source = "gs://\(job.source.bucket)/\(job.source.name)#\(job.source.generation)"
        total = job.total
        let counts = job.finalCounts ?? .init(succeeded: job.succeeded, failed: job.failed, missing: job.missing ?? 0)
        succeeded = counts.succeeded
        failed = counts.failed
        missing = counts.missing
        outputCSV = job.outputCSV.map { configuration.links.url(bucket: configuration.processedBucket, name: $0) }
        errorReport = job.errorReport.map { configuration.links.url(bucket: configuration.processedBucket, name: $0) }
        error = job.error
        finalizedAt = job.finalizedAt
        self.nearDuplicates = nearDuplicates
    }

    /// The exact bytes sent and signed.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
