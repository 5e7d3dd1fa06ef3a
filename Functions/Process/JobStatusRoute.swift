import Foundation
import FunctionsFramework
import GoogleCloud
import HTTPTypes
import PipelineModel

/// `GET /jobs/{id}`: the job as `JobView` shows it everywhere (status, counts summed over its
/// counter shards, progress, links). 400 for an id that is not a job id (16 lower-case hex
/// digits), 404 when there is no such job, 503 when Firestore may answer later.
struct JobStatusRoute: InvocationHandler {
    let jobs: JobStore
    let processedBucket: String
    let links: ObjectLinks

    func handle(_ request: InvocationRequest, context: InvocationContext) async throws -> InvocationResponse {
        let id = try request.jobID()
        guard let state = try await jobs.state(id) else {
            return try .json(NotFound(error: .init(code: 404, disposition: "notFound", message: "no job \(id)")), status: .notFound)
        }
        return try .json(JobView(state, links: links, bucket: processedBucket))
    }

    /// The same error shape the runtime answers with (`{"error":{"code","disposition","message"}}`).
    private struct NotFound: Encodable {
        struct Detail: Encodable { var code: Int; var disposition: String; var message: String }
        var error: Detail
    }
}
