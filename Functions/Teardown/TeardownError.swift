import PipelineModel
import PixelPipeCore

/// Why teardown could not finalize a job, naming the job or object, classified for the queue:
/// permanent errors are acknowledged (a direct call gets 422), transient ones answer 503 so the
/// control queue retries.
enum TeardownError: Error, Sendable, CustomStringConvertible, RetryClassifiedError {
    /// The job document does not exist.
    case unknownJob(JobID)
    /// A direct call before the job is complete and before its deadline.
    case notComplete(job: JobID, remaining: Int)
    /// The job's CSV no longer parses (it did when ingest accepted it).
    case sourceUnreadable(job: JobID, object: String, reason: String)
    /// The job document changed while it was being finalized (a late item was counted).
    case jobChanged(JobID)
    /// The webhook answered with a non-2xx status.
    case webhookRejected(job: JobID, status: Int)
    /// The webhook could not be reached; `transient` says whether trying again may help.
    case webhookUnreachable(job: JobID, reason: String, transient: Bool)

    var isTransient: Bool {
        switch self {
        case .unknownJob, .notComplete, .sourceUnreadable: false
        case .jobChanged, .webhookRejected: true
        case .webhookUnreachable(_, _, let transient): transient
        }
    }

    var description: String {
        switch self {
        case .unknownJob(let job): "job \(job) does not exist (no document jobs/\(job))"
        case .notComplete(let job, let remaining): "job \(job) is not complete: \(remaining) items remaining"
        case .sourceUnreadable(let job, let object, let reason): "the CSV of job \(job) (\(object)) no longer parses: \(reason)"
        case .jobChanged(let job): "job \(job) changed while it was being finalized; try again"
        case .webhookRejected(let job, let status): "the webhook of job \(job) answered \(status); it will be retried"
        case .webhookUnreachable(let job, let reason, _): "the webhook of job \(job) could not be reached: \(reason)"
        }
    }
}
