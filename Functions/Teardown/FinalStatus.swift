import Foundation
import PipelineModel

/// Which final status a job gets, decided from its counts (summed over its counter shards), why teardown runs and the clock:
/// a rejected job stays rejected; a job whose cancel was requested is `cancelled` (complete or
/// not: the items not recorded by then are reported as cancelled); a complete one is `finished`
/// or `finished_with_errors`; an incomplete one is `timed_out` once its deadline is the reason
/// or has passed, and otherwise not finalized at all.
enum FinalStatus {
    /// Why teardown was invoked, as far as the decision is concerned.
    enum Trigger: Sendable, Equatable {
        /// The `teardown-JOB` or `watchdog-JOB[-N]` task (`watchdog`: N, 0 for the first).
        case task(TeardownTask.Reason, watchdog: Int = 0)
        /// `POST /jobs/{id}/finalize`, optionally with `?reason=deadline`.
        case direct(deadline: Bool)

        var isDeadline: Bool {
            switch self {
            case .task(let reason, _): reason == .deadline
            case .direct(let deadline): deadline
            }
        }
    }

    /// The status `job` ends with and how many of its items are missing.
    static func decide(_ job: JobState, trigger: Trigger, now: Date) throws(TeardownError) -> (status: JobRecord.Status, missing: Int?) {
        if job.status.isFinal { return (job.status, job.missing) }
        if job.cancelRequestedAt != nil { return (.cancelled, nil) }
        if job.isComplete { return (job.failed == 0 ? .finished : .finishedWithErrors, nil) }
        let deadlinePassed = Timestamp.parse(job.deadline).map { $0 <= now } ?? false
        guard trigger.isDeadline || deadlinePassed else {
            throw .notComplete(job: job.id, remaining: job.remaining)
        }
        return (.timedOut, job.remaining)
    }
}
