import Foundation

/// How long each step of one piece of work took, in the order the steps ran: an image's
/// download, decode, encodes and upload; a shard's rows and task creations. Kept on the item
/// record (`ItemRecord.timings`) or the job's stage timing documents so the emulator can draw
/// the job's waterfall, and logged as `pixelpipe.step.NAME_ms` fields for log-based metrics.
public struct StepTimings: Codable, Sendable, Equatable {
    /// One step: its name (`download`, `decode`, `encode_webp`, …) and how long it took.
    public struct Step: Codable, Sendable, Equatable {
        public var step: String
        /// Milliseconds, to a tenth.
        public var ms: Double

        public init(step: String, ms: Double) {
            self.step = step
            self.ms = ms
        }
    }

    /// When the work started (RFC 3339, milliseconds).
    public var startedAt: String
    /// When the work was due: a task's schedule time (its ETA), so `startedAt − queuedAt` is
    /// how long it waited in its queue. Nil for work that was not queued.
    public var queuedAt: String?
    public var steps: [Step]

    public init(startedAt: String, queuedAt: String? = nil, steps: [Step] = []) {
        self.startedAt = startedAt
        self.queuedAt = queuedAt
        self.steps = steps
    }

    /// Adds `duration` as step `step`.
    public mutating func add(_ step: String, _ duration: Duration) {
        steps.append(Step(step: step, ms: Self.milliseconds(duration)))
    }

    /// Milliseconds of `duration`, rounded to a tenth.
    public static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return ((Double(seconds) * 1000 + Double(attoseconds) / 1e15) * 10).rounded() / 10
    }

    /// The sum of the steps, in milliseconds.
    public var totalMilliseconds: Double { steps.reduce(0) { $0 + $1.ms } }
}
