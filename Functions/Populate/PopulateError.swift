import PipelineModel
import PixelPipeCore

/// Why a shard cannot be populated. Permanent ones are acknowledged and logged (redelivering the
/// same message would fail the same way); transient ones are redelivered.
enum PopulateError: Error, Sendable, CustomStringConvertible, RetryClassifiedError {
    case unknownJob(JobID)
    case noRecipe(JobID)
    case csvGone(job: JobID, object: String)
    case malformedShard(job: JobID, detail: String)
    /// The job's queue is missing although the job is still running.
    case queueMissing(job: JobID)
    /// Storage answered a ranged read with other bytes than asked for.
    case shortRead(job: JobID, object: String, expected: Int, read: Int)

    var isTransient: Bool {
        switch self {
        case .queueMissing, .shortRead: true
        default: false
        }
    }

    var description: String {
        switch self {
        case .unknownJob(let job): "job \(job) does not exist (no document jobs/\(job))"
        case .noRecipe(let job): "job \(job) has no recipe"
        case .csvGone(let job, let object): "the CSV of job \(job), \(object), no longer exists"
        case .malformedShard(let job, let detail): "a shard of job \(job) does not match its CSV: \(detail)"
        case .queueMissing(let job): "the queue images-\(job) does not exist although job \(job) is running"
        case .shortRead(let job, let object, let expected, let read): "reading a shard of job \(job) from \(object) returned \(read) bytes instead of \(expected)"
        }
    }
}
