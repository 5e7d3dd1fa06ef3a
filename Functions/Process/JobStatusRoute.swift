import Foundation
import FunctionsFramework
import GoogleCloud
import HTTPTypes
import PipelineModel

/// `GET /jobs/{id}`: the job's status, counts and progress from `jobs/ID`. 400 for an id that is
/// not a job id (16 lower-case hex digits), 404 when there is no such job, 503 when Firestore
/// may answer later.
struct JobStatusRoute: InvocationHandler {
    let firestore: FirestoreClient
    let processedBucket: String
    let links: ObjectLinks

    func handle(_ request: InvocationRequest, context: InvocationContext) async throws -> InvocationResponse {
        let id = request.pathParameters["id"] ?? ""
        guard PipelineNames.isJobID(id) else {
            throw InvocationError.malformed("'\(id)' is not a job id (16 lower-case hex digits)")
        }
        guard let document = try await firestore.document(PipelineNames.jobDocument(job: id)) else {
            return try .json(NotFound(error: .init(code: 404, disposition: "notFound", message: "no job \(id)")), status: .notFound)
        }
        let record = try document.decode(JobRecord.self)
        return try .json(JobStatus(record, bucket: processedBucket, links: links))
    }

    /// The same error shape the runtime answers with (`{"error":{"code","disposition","message"}}`).
    private struct NotFound: Encodable {
        struct Detail: Encodable { var code: Int; var disposition: String; var message: String }
        var error: Detail
    }
}
