/// What `JobControl.retry` did: the job as it runs again and how many images it re-runs.
public struct RetryResult: Sendable, Equatable {
    /// The job document after the retry put it back to `running` (its `run` is the new run).
    public var job: JobRecord
    /// Image tasks enqueued for the new run.
    public var enqueued: Int
    /// Of them, images that had been recorded as failed (their items removed and uncounted).
    public var failed: Int
    /// Of them, images the job was finalized without (missing or cancelled).
    public var unrecorded: Int

    public init(job: JobRecord, enqueued: Int, failed: Int, unrecorded: Int) {
        self.job = job
        self.enqueued = enqueued
        self.failed = failed
        self.unrecorded = unrecorded
    }
}
