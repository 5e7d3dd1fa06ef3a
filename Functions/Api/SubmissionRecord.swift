import Foundation
import GoogleCloud
import PipelineModel

/// What the api service remembers of a CSV it stored, `apiSubmissions/JOB`, so that
/// `GET /v1/jobs/{id}` can answer `queued` between the upload and ingest creating the job
/// (ingest runs on the object's finalize event, a moment later). Written after the upload,
/// read only while the job document does not exist yet.
struct SubmissionRecord: Codable, Sendable, Equatable {
    /// The collection of submissions.
    static let collection = "apiSubmissions"

    var bucket: String
    var name: String
    /// The object generation (a decimal string, as Storage writes it).
    var generation: String
    /// The file name the user gave.
    var fileName: String
    /// The effective recipe the job will run with, as JSON.
    var recipe: String
    var webhookUrl: String?
    /// When the object was stored (RFC 3339).
    var createdAt: String
    /// The uid of the user who submitted it.
    var owner: String?

    /// The job resource of the stored CSV, before ingest has made it a job.
    var resource: JobResource {
        let recipeValue = JobResource.recipeValue(recipe)
        let id = JobID(bucket: bucket, object: name, generation: Int64(generation) ?? 0)
        return JobResource(
            id: id.rawValue, status: .queued,
            source: .init(uri: "gs://\(bucket)/\(name)#\(generation)", name: fileName),
            counts: .init(total: 0, succeeded: 0, failed: 0, remaining: 0, missing: 0, cancelled: 0),
            progress: 0, recipe: recipeValue, webhookUrl: webhookUrl, createdAt: createdAt, owner: owner
        )
    }
}
