/// The body of a control-queue task: `teardown-JOB` when the last item is counted,
/// `watchdog-JOB` at the job's deadline (`watchdog-JOB-N` once it was moved on N times),
/// `cancel-JOB` after a cancel; in a retried job's run N the names end in `-rN` (see `PipelineNames`).
public struct TeardownTask: Codable, Sendable, Equatable {
    /// Why teardown runs.
    public enum Reason: String, Codable, Sendable {
        /// Every item was counted.
        case complete
        /// The job's deadline passed.
        case deadline
        /// A cancel was requested (`cancel-JOB`): finalize at once as `cancelled`.
        case cancel
    }

    public var job: JobID
    public var reason: Reason
    /// Which watchdog this is: N for `watchdog-JOB-N`, absent for `watchdog-JOB`.
    public var watchdog: Int?
    /// The run of the job the task was scheduled for (absent for the first): a watchdog of an
    /// earlier run, still scheduled when the job was retried, does nothing.
    public var run: Int?

    public init(job: JobID, reason: Reason, watchdog: Int? = nil, run: Int? = nil) {
        self.job = job
        self.reason = reason
        self.watchdog = watchdog
        self.run = run
    }
}
