import Foundation
import Logging
import PipelineModel

extension Ingestor {
    /// Records an accepted job: its rows and shards, each step's duration, the job's `ingest`
    /// timing document (the first bar of its waterfall) and one structured log line. Nothing
    /// when metrics are off.
    func recordTimings(_ timings: StepTimings, job: JobID, scan: CSVScan.Result, total: Duration, logger: Logger) async throws {
        guard metrics.enabled else { return }
        metrics.work("jobs", 1, outcome: "accepted")
        metrics.work("rows", scan.rows)
        metrics.work("shards", scan.shards.count)
        metrics.work("items", scan.items)
        metrics.steps(timings)
        metrics.step("total", total)
        try await jobs.put(StageTimingRecord(stage: "ingest", key: "ingest", timings: timings, endedAt: Timestamp.format(Date())), job: job)
        logger.info("job ingested", metadata: StageLogFields.metadata(event: "ingest", stage: metrics.stage, outcome: "accepted", timings: timings).merging([
            "pixelpipe.rows": .stringConvertible(scan.rows), "pixelpipe.shards": .stringConvertible(scan.shards.count),
        ]) { old, _ in old })
    }
}
