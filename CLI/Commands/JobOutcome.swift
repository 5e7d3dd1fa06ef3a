import ArgumentParser
import PipelineModel

/// What a command that started or touched a job prints, and the status it exits with: without
/// `--wait` the job as accepted; with it, the progress until the job is final and its summary.
struct JobOutcome {
    let api: JobsAPIClient
    let console: Console

    /// Reports `job`; throws `ExitCode` when the outcome is not a success.
    func report(_ job: JobResource, wait: Bool) async throws {
        guard wait, !job.status.isFinal else {
            if job.status.isFinal {
                try await summarize(job)
                return
            }
            console.line(ProgressLine.plain(job))
            console.line("  \(api.endpoint.url(job.links.`self`))")
            return
        }
        let watcher = JobWatcher(api: api, console: console)
        let final = try await watcher.wait(for: job)
        try await summarize(final, watcher: watcher)
    }

    /// Prints the summary of the final `job` and exits with its status.
    func summarize(_ job: JobResource, watcher: JobWatcher? = nil) async throws {
        let summary = try await (watcher ?? JobWatcher(api: api, console: console)).summary(of: job)
        for line in summary.lines() { console.line(line) }
        let status = ExitStatus.of(job)
        if status != 0 { throw ExitCode(status) }
    }
}
