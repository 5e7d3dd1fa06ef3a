import PixelPipeCore
/// Why the ledger could not record an item.
public enum JobLedgerError: Error, Sendable, CustomStringConvertible, RetryClassifiedError {
    /// The job document does not exist (deleted, or the task names a job that never was).
    case unknownJob(JobID)
    /// The item names a counter shard the job does not have.
    case unknownCounter(job: JobID, shard: Int)
    /// The commit answered without the transform results the ledger asked for.
    case unexpectedCommitResult(job: JobID, item: String)

    public var isTransient: Bool {
        switch self {
        case .unknownJob, .unknownCounter: false
        case .unexpectedCommitResult: true
        }
    }

    public var description: String {
        switch self {
        case .unknownJob(let job): "job \(job) does not exist (no document jobs/\(job))"
        case .unknownCounter(let job, let shard): "job \(job) has no counter shard \(shard) (no document jobs/\(job)/counters/\(shard))"
        case .unexpectedCommitResult(let job, let item): "the commit recording item \(item) of job \(job) returned no counter values"
        }
    }
}
