import PipelineModel

/// The exit status a job's outcome ends a command with: 0 when every image succeeded (or the
/// job is still going and the command does not wait), 1 when some failed or the job timed out
/// or was cancelled, 2 when it was rejected as a whole.
public enum ExitStatus {
    /// The status for `job` as it stands.
    public static func of(_ job: JobResource) -> Int32 {
        switch job.status {
        case .queued, .running: 0
        case .finished: job.counts.failed == 0 ? 0 : 1
        case .finishedWithErrors, .timedOut, .cancelled: 1
        case .rejected: 2
        }
    }
}
