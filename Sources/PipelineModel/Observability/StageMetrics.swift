import Foundation
import Logging
import Metrics
import PixelPipeCore

/// The pipeline's metrics, recorded through swift-metrics (a Prometheus registry served on the
/// function's metrics port when bootstrapped, a no-op otherwise). One family per question, with
/// bounded labels only: the stage, the outcome, the failure *kind* (never free text), the step
/// and the output format. docs/observability.md lists them.
///
/// | family | type | labels |
/// |---|---|---|
/// | `pixelpipe_items_total` | counter | stage, outcome, reason |
/// | `pixelpipe_step_duration_seconds` | histogram | stage, step, format |
/// | `pixelpipe_bytes_total` | counter | stage, direction |
/// | `pixelpipe_queue_lag_seconds` | histogram | stage |
/// | `pixelpipe_work_total` | counter | stage, kind (rows, shards, tasks, jobs) |
/// | `pixelpipe_webhook_attempts_total` | counter | outcome |
public struct StageMetrics: Sendable {
    /// The stage label: `ingest`, `populate`, `process`, `teardown`.
    public let stage: String
    /// Whether metrics are on (`PIXELPIPE_METRICS`): off, the stage also skips its timing
    /// records and per-item log lines, so that the switch turns all of it off.
    public let enabled: Bool

    public init(stage: String, enabled: Bool = true) {
        self.stage = stage
        self.enabled = enabled
    }

    /// Reads `PIXELPIPE_METRICS` (on unless `off`, `false`, `0` or `no`).
    public init(stage: String, environment: EnvironmentValues) throws(ConfigurationError) {
        self.init(stage: stage, enabled: try environment.flag("PIXELPIPE_METRICS", default: true))
    }

    /// Metrics off: for tests and callers that measure nothing.
    public static func off(_ stage: String) -> StageMetrics { StageMetrics(stage: stage, enabled: false) }

    /// One item ended: `outcome` is `succeeded`, `failed` or `retried`; `reason` a failure kind (`none` on success).
    public func item(outcome: String, reason: String = "none", count: Int = 1) {
        guard enabled, count > 0 else { return }
        Counter(label: "pixelpipe_items_total", dimensions: [("stage", stage), ("outcome", outcome), ("reason", reason)]).increment(by: count)
    }

    /// One step took `duration`; `format` names the output format of an encode (empty otherwise).
    public func step(_ step: String, format: String = "", _ duration: Duration) {
        guard enabled else { return }
        Metrics.Timer(label: "pixelpipe_step_duration_seconds", dimensions: [("stage", stage), ("step", step), ("format", format)]).recordNanoseconds(Self.nanoseconds(duration))
    }

    /// Every step of `timings`, with an encode's format split out of its name (`encode_webp`).
    public func steps(_ timings: StepTimings) {
        guard enabled else { return }
        for step in timings.steps {
            let nanoseconds = Int64(step.ms * 1_000_000)
            let (name, format) = Self.split(step.step)
            Metrics.Timer(label: "pixelpipe_step_duration_seconds", dimensions: [("stage", stage), ("step", name), ("format", format)]).recordNanoseconds(nanoseconds)
        }
    }

    /// Bytes read (`in`) or written (`out`).
    public func bytes(_ direction: String, _ count: Int) {
        guard enabled, count > 0 else { return }
        Counter(label: "pixelpipe_bytes_total", dimensions: [("stage", stage), ("direction", direction)]).increment(by: count)
    }

    /// How late a task started: `now` − its ETA (the time it was scheduled for). Nothing when
    /// the task carried no ETA.
    public func queueLag(eta: Date?, now: Date) {
        guard enabled, let eta else { return }
        let lag = max(0, now.timeIntervalSince(eta))
        Metrics.Timer(label: "pixelpipe_queue_lag_seconds", dimensions: [("stage", stage)]).recordNanoseconds(Int64(lag * 1e9))
    }

    /// Units of work done: `rows` and `shards` scanned, `tasks` enqueued, `jobs` by outcome.
    public func work(_ kind: String, _ count: Int, outcome: String = "done") {
        guard enabled, count > 0 else { return }
        Counter(label: "pixelpipe_work_total", dimensions: [("stage", stage), ("kind", kind), ("outcome", outcome)]).increment(by: count)
    }

    /// One webhook attempt: `delivered`, `refused` (an HTTP error status) or `unreachable`.
    public func webhookAttempt(outcome: String) {
        guard enabled else { return }
        Counter(label: "pixelpipe_webhook_attempts_total", dimensions: [("stage", stage), ("outcome", outcome)]).increment()
    }

    /// `encode_webp` → (`encode`, `webp`); other names have no format.
    static func split(_ step: String) -> (name: String, format: String) {
        guard step.hasPrefix("encode_") else { return (step, "") }
        return ("encode", String(step.dropFirst("encode_".count)))
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
