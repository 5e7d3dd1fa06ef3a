import Foundation
import PipelineModel

/// Follows a job until it is final, drawing its progress as it goes (a bar redrawn in place on
/// a terminal, a plain line on change or every few seconds otherwise), then reads what the
/// summary needs: the failed items' reasons and one output's link.
public struct JobWatcher: Sendable {
    /// The API the job is read from.
    public let api: JobsAPIClient
    /// Where the progress is drawn.
    public let console: Console
    /// Time between two reads of the job.
    public var pollInterval: Duration
    /// Piped, a line is printed when the job changed and at least this long after the last one…
    public var plainMinimumGap: Duration = .seconds(2)
    /// …and, unchanged, this long after the last one.
    public var plainHeartbeat: Duration = .seconds(10)
    /// Failed items read for the summary's groups, at most.
    public var failuresToRead = 10_000

    /// A watcher writing to `console`.
    public init(api: JobsAPIClient, console: Console, pollInterval: Duration? = nil) {
        self.api = api
        self.console = console
        self.pollInterval = pollInterval ?? (console.isTerminal ? .milliseconds(250) : .milliseconds(500))
    }

    /// Draws `job` until it is final and returns its final resource. A few failed reads in a
    /// row (the API restarting) are waited out; more end the wait with the last error.
    public func wait(for job: JobResource) async throws(CLIError) -> JobResource {
        var current = job
        var lastFrame = ""
        var lastPlain = ""
        var lastPlainAt = ContinuousClock.now
        var failedReads = 0
        let clock = ContinuousClock()
        while true {
            if console.isTerminal {
                let frame = ProgressLine.frame(current, width: console.width, color: console.color)
                if frame != lastFrame || current.status.isFinal {
                    console.write(ANSI.redraw + frame + (current.status.isFinal ? "\n" : ""))
                    lastFrame = frame
                }
            } else {
                let line = ProgressLine.plain(current)
                let since = clock.now - lastPlainAt
                if lastPlain.isEmpty || current.status.isFinal && line != lastPlain
                    || (line != lastPlain && since >= plainMinimumGap) || since >= plainHeartbeat {
                    console.line(line)
                    lastPlain = line
                    lastPlainAt = clock.now
                }
            }
            if current.status.isFinal { return current }
            do {
                try await Task.sleep(for: pollInterval)
            } catch {
                throw .unexpectedAnswer("interrupted while waiting for job \(current.id)")
            }
            do {
                current = try await api.job(current.id)
                failedReads = 0
            } catch let error {
                failedReads += 1
                if failedReads >= 20 || error.exitStatus == 2 || error.isSignIn { throw error }
            }
        }
    }

    /// The summary of the final `job`: failures grouped from its failed items (read a page at a
    /// time, up to `failuresToRead`) and one output's link.
    public func summary(of job: JobResource) async throws(CLIError) -> JobSummary {
        var failed: [ItemResource] = []
        if job.counts.failed > 0 {
            var token: String?
            repeat {
                let page = try await api.items(job: job.id, status: .failed, pageSize: 1000, pageToken: token)
                failed += page.items
                token = page.nextPageToken
            } while token != nil && failed.count < failuresToRead
        }
        var example: String?
        if job.counts.succeeded > 0 {
            example = try await api.items(job: job.id, status: .succeeded, pageSize: 1).items.first?.outputs.first?.url
        }
        return JobSummary(job: job, failures: FailureGroup.group(failed), failuresRead: failed.count, exampleOutput: example, apiBase: api.endpoint.baseURL)
    }
}
