/// The body of a control-queue task: `teardown-JOB` when the last item is counted,
/// `watchdog-JOB` at the job's deadline.
public struct TeardownTask: Codable, Sendable, Equatable {
    /// Why teardown runs.
    public enum Reason: String, Codable, Sendable {
        /// Every item was counted.
        case complete
        /// The job's deadline passed.
        case deadline
    }

    public var job: String
    public var reason: Reason

    public init(job: String, reason: Reason) {
        self.job = job
        self.reason = reason
    }
}
