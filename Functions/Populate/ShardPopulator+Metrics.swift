import Foundation
import Logging
import PipelineModel

extension ShardPopulator {
    /// Records a populated shard: rows read, tasks enqueued, invalid items (kind `invalidInput`),
    /// each step's duration, the job's `populate-N` timing document and one structured log line.
    /// Nothing when metrics are off.
    func recordTimings(
        _ timings: StepTimings, shard: ShardMessage, rows: Int, outcome: Outcome, invalid: Int, total: Duration, logger: Logger
    ) async throws {
        guard metrics.enabled else { return }
        metrics.work("rows", rows)
        metrics.work("tasks", outcome.created)
        metrics.work("tasks", outcome.existing, outcome: "existing")
        metrics.item(outcome: "failed", reason: "invalidInput", count: outcome.failed)
        metrics.steps(timings)
        metrics.step("total", total)
        let number = shard.number ?? 0
        let record = StageTimingRecord(stage: "populate", key: "populate-\(number)", shard: number, timings: timings, endedAt: Timestamp.format(Date()))
        try await jobs.put(record, job: shard.job)
        logger.info("shard populated", metadata: StageLogFields.metadata(event: "shard", stage: metrics.stage, outcome: "populated", timings: timings).merging([
            "pixelpipe.rows": .stringConvertible(rows), "pixelpipe.tasks": .stringConvertible(outcome.created),
            "pixelpipe.invalid_items": .stringConvertible(invalid),
        ]) { old, _ in old })
    }
}
