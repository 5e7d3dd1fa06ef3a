extension JobState {
    /// The counts a job is shown with, wherever it is shown (`JobView`, the API's `JobResource`):
    /// once finalized, the frozen `finalCounts` — what the output CSV and the webhook said —
    /// else the shards' live sums.
    public struct ShownCounts: Sendable, Equatable {
        public var succeeded: Int
        public var failed: Int
        /// Items not yet recorded; for a finalized job `missing + cancelled`, so that
        /// `succeeded + failed + remaining == total` always.
        public var remaining: Int
        /// Items a timed-out job was finalized without (while running: what the document says, 0 at first).
        public var missing: Int
        /// Items a cancelled job was finalized without; 0 until it is finalized.
        public var cancelled: Int
        /// Fraction of items recorded, 0…1.
        public var progress: Double
    }

    /// The counts to show for this job (see `ShownCounts`).
    public var shown: ShownCounts {
        guard let frozen = record.finalCounts else {
            return ShownCounts(succeeded: succeeded, failed: failed, remaining: remaining,
                               missing: record.missing ?? 0, cancelled: 0, progress: progress)
        }
        let recorded = frozen.succeeded + frozen.failed
        return ShownCounts(
            succeeded: frozen.succeeded, failed: frozen.failed, remaining: frozen.missing + frozen.cancelled,
            missing: frozen.missing, cancelled: frozen.cancelled,
            progress: record.total == 0 ? 1 : min(1, Double(recorded) / Double(record.total)))
    }
}
