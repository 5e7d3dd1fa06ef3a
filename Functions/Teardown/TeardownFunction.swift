import FunctionsFramework
import PipelineModel

/// The `teardown-JOB` (reason `complete`), `watchdog-JOB` (reason `deadline`) and `cancel-JOB`
/// (reason `cancel`) tasks of the control queue (`-rN` in a retried job's run N; a task of an
/// earlier run does nothing). An unknown job or an incomplete job told it is complete is acknowledged
/// (permanent); a held lease or a failing webhook answers 503 so the queue retries.
struct TeardownFunction: CloudTaskFunction {
    let finalizer: JobFinalizer

    func handle(_ request: CloudTaskRequest<TeardownTask>, context: InvocationContext) async throws {
        _ = try await finalizer.finalize(
            job: request.payload.job,
            trigger: .task(request.payload.reason, watchdog: request.payload.watchdog ?? 0),
            run: request.payload.run ?? 0,
            holder: request.task.taskName,
            logger: context.logger
        )
    }
}
