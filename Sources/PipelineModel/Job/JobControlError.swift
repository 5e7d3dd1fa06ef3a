import PixelPipeCore

/// Why a cancel or a retry was refused, naming the job. `isConflict` errors are the job's own
/// state (an API answers 409), `unknownJob` is 404, and `busy` is transient (503: try again).
public enum JobControlError: Error, Sendable, Equatable, CustomStringConvertible, RetryClassifiedError {
    /// There is no document `jobs/JOB`.
    case unknownJob(JobID)
    /// A cancel of a job already finalized with another status.
    case alreadyFinal(job: JobID, status: JobRecord.Status)
    /// A retry of a rejected job: its CSV was unusable, nothing ran.
    case rejected(JobID)
    /// A retry of a job still running (or being cancelled): retry acts on finalized jobs only.
    case stillRunning(JobID)
    /// A retry of a finalized job with no failed, missing or cancelled image to run again.
    case nothingToRetry(JobID)
    /// A retry of a job finalized before teardown wrote `results.ndjson`, which lists the items
    /// the job was finalized without.
    case noResults(JobID)
    /// Teardown (or another retry) holds the job's finalizer lease until `until`.
    case busy(job: JobID, holder: String, until: String)
    /// The lease was taken over while the retry worked (it was too slow to renew it).
    case leaseLost(JobID)

    /// Whether the job's state refuses the call (HTTP 409).
    public var isConflict: Bool {
        switch self {
        case .alreadyFinal, .rejected, .stillRunning, .nothingToRetry, .noResults: true
        case .unknownJob, .busy, .leaseLost: false
        }
    }

    public var isTransient: Bool {
        switch self {
        case .busy, .leaseLost: true
        case .unknownJob, .alreadyFinal, .rejected, .stillRunning, .nothingToRetry, .noResults: false
        }
    }

    public var description: String {
        switch self {
        case .unknownJob(let job): "job \(job) does not exist (no document jobs/\(job))"
        case .alreadyFinal(let job, let status): "job \(job) is already \(status.rawValue) and cannot be cancelled"
        case .rejected(let job): "job \(job) was rejected (its CSV is unusable); upload a corrected CSV instead of retrying"
        case .stillRunning(let job): "job \(job) is still running; retry it once it is finalized (or cancel it first)"
        case .nothingToRetry(let job): "job \(job) has no failed, missing or cancelled image to retry"
        case .noResults(let job): "job \(job) was finalized without results.ndjson (before retries existed); it cannot be retried"
        case .busy(let job, let holder, let until): "job \(job) is being finalized or retried (\(holder), until \(until)); try again shortly"
        case .leaseLost(let job): "the retry of job \(job) lost its lease on the job and stopped; try again"
        }
    }
}
