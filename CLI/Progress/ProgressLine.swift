import Foundation
import PipelineModel

/// The one line a waiting command shows for a job: on a terminal a bar fitted to its width and
/// redrawn in place, piped a plain sentence. Pure functions of the job resource, so their
/// table tests need no terminal.
public enum ProgressLine {
    /// The terminal frame for `job` in `width` columns (no `\r`, no erase: the caller adds them).
    /// Never wider than `width - 1`, so the cursor never wraps onto a new line.
    ///
    ///     products.csv  [██████████░░░░░░░░░░]  45%  9/20  1 failed  3.2/s  ETA 4s
    public static func frame(_ job: JobResource, width: Int, color: Bool = false) -> String {
        let available = max(width - 1, 12)
        if job.status == .queued {
            return String("\(job.source.name)  queued: waiting for ingest to read the CSV".prefix(available))
        }
        let counts = job.counts
        var right = [percent(job.progress), "\(counts.succeeded + counts.failed)/\(counts.total)"]
        if counts.failed > 0 { right.append("\(counts.failed) failed") }
        if job.status == .running {
            if let rate = job.ratePerSecond { right.append(self.rate(rate)) }
            if let eta = job.etaSeconds { right.append("ETA " + duration(seconds: eta)) }
        } else {
            right.append(job.status.rawValue)
        }
        var name: String? = job.source.name
        // What goes first when the terminal is narrow: the name (shortened, then dropped), then
        // the right-hand parts from the last (ETA, rate, …) down to the percentage.
        while true {
            let fixed = (name.map { $0.count + 2 } ?? 0) + 2 + 2 + right.joined(separator: "  ").count
            let barWidth = min(40, available - fixed)
            if barWidth >= 10 || (name == nil && right.count == 1) {
                guard barWidth >= 1 else { return String(right[0].prefix(available)) }
                let bar = self.bar(succeeded: counts.succeeded, failed: counts.failed, total: counts.total, width: barWidth, color: color)
                return (name.map { $0 + "  " } ?? "") + "[" + bar + "]  " + right.joined(separator: "  ")
            }
            if let current = name, current.count > 16 {
                name = String(current.prefix(15)) + "…"
            } else if name != nil {
                name = nil
            } else {
                right.removeLast()
            }
        }
    }

    /// The plain line for `job`, for pipes and logs:
    /// `job 0123456789abcdef: running 9/20 (45%), 8 succeeded, 1 failed, 3.2/s, ETA 4s`.
    public static func plain(_ job: JobResource) -> String {
        if job.status == .queued { return "job \(job.id): queued (waiting for ingest to read \(job.source.name))" }
        let counts = job.counts
        var parts = ["\(job.status.rawValue) \(counts.succeeded + counts.failed)/\(counts.total) (\(percent(job.progress)))",
                     "\(counts.succeeded) succeeded", "\(counts.failed) failed"]
        if let rate = job.ratePerSecond, job.status == .running { parts.append(self.rate(rate)) }
        if let eta = job.etaSeconds, job.status == .running { parts.append("ETA " + duration(seconds: eta)) }
        return "job \(job.id): " + parts.joined(separator: ", ")
    }

    /// A bar of `width` cells: succeeded items green, failed ones red, the rest empty.
    /// Without colour the failed cells are drawn as `x`, so they show in any terminal.
    public static func bar(succeeded: Int, failed: Int, total: Int, width: Int, color: Bool) -> String {
        guard width > 0 else { return "" }
        let whole = total == 0 ? (succeeded + failed > 0 ? succeeded + failed : 1) : total
        let done = total == 0 ? width : min(width, Int((Double(succeeded + failed) / Double(whole) * Double(width)).rounded(.down)))
        var bad = failed == 0 ? 0 : max(1, Int((Double(failed) / Double(whole) * Double(width)).rounded()))
        bad = min(bad, done)
        let good = done - bad
        let empty = width - done
        let goodCells = String(repeating: "█", count: good)
        let badCells = String(repeating: color ? "█" : "x", count: bad)
        let emptyCells = String(repeating: "░", count: empty)
        guard color else { return goodCells + badCells + emptyCells }
        return (good > 0 ? ANSI.green + goodCells + ANSI.reset : "") + (bad > 0 ? ANSI.red + badCells + ANSI.reset : "") + emptyCells
    }

    /// `45%` (floored, so 100% means every item is recorded).
    public static func percent(_ progress: Double) -> String {
        "\(Int((min(max(progress, 0), 1) * 100).rounded(.down)))%"
    }

    /// `3.2/s`, `12/s`, `0.05/s`.
    public static func rate(_ perSecond: Double) -> String {
        if perSecond >= 10 { return "\(Int(perSecond.rounded()))/s" }
        if perSecond >= 0.1 { return String(format: "%.1f/s", perSecond) }
        return String(format: "%.2f/s", perSecond)
    }

    /// `4s`, `1m05s`, `2h03m`.
    public static func duration(seconds: Int) -> String {
        let seconds = max(0, seconds)
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return String(format: "%dm%02ds", seconds / 60, seconds % 60) }
        return String(format: "%dh%02dm", seconds / 3600, seconds % 3600 / 60)
    }

    /// Columns `text` takes on a terminal: its characters less its escape sequences.
    public static func visibleWidth(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                if (0x40...0x7E).contains(scalar.value) && scalar != "[" { inEscape = false }
            } else if scalar == "\u{1B}" {
                inEscape = true
            } else {
                width += 1
            }
        }
        return width
    }
}
