import FunctionsFramework
import PipelineModel

/// `POST /jobs/{id}/finalize[?reason=deadline]`: runs the same finalizer directly and answers
/// the job as JSON (`JobView`, the shape `GET /jobs/{id}` and the webhook use). Without `reason=deadline` an incomplete job is finalized only
/// once its deadline has passed (422 before that, naming the items remaining).
struct FinalizeRoute: InvocationHandler {
    let finalizer: JobFinalizer

    func handle(_ request: InvocationRequest, context: InvocationContext) async throws -> InvocationResponse {
        let job = try request.jobID()
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
