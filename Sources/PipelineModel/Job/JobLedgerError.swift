import PixelPipeCore
/// Why the ledger could not record an item.
public enum JobLedgerError: Error, Sendable, CustomStringConvertible, RetryClassifiedError {
    /// The job document does not exist (deleted, or the task names a job that never was).
    case unknownJob(String)
    /// The commit answered without the transform results the ledger asked for.
    case unexpectedCommitResult(job: String, item: String)

    public var isTransient: Bool {
        switch self {
        case .unknownJob: false
        case .unexpectedCommitResult: true
        }
    }

    public var description: String {
        switch self {
        case .unknownJob(let job): "job \(job) does not exist (no document jobs/\(job))"
        case .unexpectedCommitResult(let job, let item): "the commit recording item \(item) of job \(job) returned no counter values"
        }
    }
}
