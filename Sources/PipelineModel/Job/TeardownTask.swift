/// The body of a control-queue task: `teardown-JOB` when the last item is counted,
/// `watchdog-JOB` at the job's deadline (`watchdog-JOB-N` once it was moved on N times).
public struct TeardownTask: Codable, Sendable, Equatable {
    /// Why teardown runs.
    public enum Reason: String, Codable, Sendable {
        /// Every item was counted.
        case complete
        /// The job's deadline passed.
        case deadline
    }

    public var job: JobID
    public var reason: Reason
    /// Which watchdog this is: N for `watchdog-JOB-N`, absent for `watchdog-JOB`.
    public var watchdog: Int?

    public init(job: JobID, reason: Reason, watchdog: Int? = nil) {
        self.job = job
        self.reason = reason
        self.watchdog = watchdog
    }
}
