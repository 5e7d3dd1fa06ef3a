import Foundation
import PipelineModel

/// What a waiting command prints once the job is final: the outcome and its duration, the
/// counts, the failures grouped by reason, and where the outputs are.
public struct JobSummary: Sendable {
    /// The final job.
    public var job: JobResource
    /// The failed items' reasons, grouped.
    public var failures: [FailureGroup]
    /// How many failed items the groups were made from (fewer than the job's when it has very many).
    public var failuresRead: Int
    /// One output image's URL, to show where they are.
    public var exampleOutput: String?
    /// The API's root, to make the job's links absolute.
    public var apiBase: String

    /// A summary.
    public init(job: JobResource, failures: [FailureGroup], failuresRead: Int, exampleOutput: String?, apiBase: String) {
        self.job = job
        self.failures = failures
        self.failuresRead = failuresRead
        self.exampleOutput = exampleOutput
        self.apiBase = apiBase
    }

    /// The summary's lines (no escape codes, so the same text goes to a terminal and a pipe).
    public func lines() -> [String] {
        let counts = job.counts
        var lines: [String] = []
        let took = Self.seconds(from: job.startedAt ?? job.createdAt, to: job.finishedAt).map { " in " + ProgressLine.duration(seconds: $0) } ?? ""
        lines.append("job \(job.id) (\(job.source.name)): \(job.status.rawValue)\(took)")
        if job.status == .rejected {
            lines.append("  rejected: \(job.error ?? "no reason given")")
            return lines
        }
        var tally = ["\(counts.succeeded) succeeded", "\(counts.failed) failed"]
        if counts.missing > 0 { tally.append("\(counts.missing) missing") }
        if counts.cancelled > 0 { tally.append("\(counts.cancelled) cancelled") }
        if counts.remaining > 0, counts.missing == 0, counts.cancelled == 0 { tally.append("\(counts.remaining) not recorded") }
        lines.append("  \(counts.total) image\(counts.total == 1 ? "" : "s"): " + tally.joined(separator: ", "))
        if !failures.isEmpty {
            let partial = failuresRead < counts.failed ? " (the first \(failuresRead) of \(counts.failed))" : ""
            lines.append("  failures by reason\(partial):")
            for group in failures.prefix(10) {
                let more = group.count > group.examples.count ? ", …" : ""
                lines.append("    \(group.count) × \(group.reason)  (\(group.examples.joined(separator: ", "))\(more))")
            }
            if failures.count > 10 { lines.append("    … and \(failures.count - 10) other reasons (pixelpipe results \(job.id) --failed)") }
        }
        if job.status != .cancelled || counts.succeeded > 0 {
            lines.append("  output CSV:  \(apiBase)\(job.links.outputCsv)")
        }
        if let exampleOutput {
            lines.append("  images:      \(exampleOutput) and the rest (pixelpipe results \(job.id) --download DIR)")
        }
        return lines
    }

    /// Whole seconds from `start` to `end` (RFC 3339), when both are known.
    static func seconds(from start: String?, to end: String?) -> Int? {
        guard let start = start.flatMap(Timestamp.parse), let end = end.flatMap(Timestamp.parse) else { return nil }
        return max(0, Int(end.timeIntervalSince(start).rounded()))
    }
}
