import FunctionsFramework
import PipelineModel

/// `POST /jobs/{id}/finalize[?reason=deadline]`: runs the same finalizer directly and answers
/// the job's summary as JSON. Without `reason=deadline` an incomplete job is finalized only
/// once its deadline has passed (422 before that, naming the items remaining).
struct FinalizeRoute: InvocationHandler {
    let finalizer: JobFinalizer

    func handle(_ request: InvocationRequest, context: InvocationContext) async throws -> InvocationResponse {
        guard let job = request.pathParameters["id"], PipelineNames.isJobID(job) else {
            throw InvocationError.malformed("POST /jobs/{id}/finalize needs a job id of 16 lower-case hex digits, not '\(request.pathParameters["id"] ?? "")'")
        }
        let reason = request.queryValue("reason")
        guard reason == nil || reason == "deadline" || reason == "complete" else {
            throw InvocationError.malformed("reason must be complete or deadline, not \(reason ?? "")")
        }
        let summary = try await finalizer.finalize(
            job: job,
            trigger: .direct(deadline: reason == "deadline"),
            holder: context.invocationID,
            logger: context.logger
        )
        return try .json(summary)
    }
}
