import Foundation
import Logging
import PipelineModel

extension JobFinalizer {
    /// Sends the webhook, counting the attempt by outcome (`delivered`, `refused`,
    /// `unreachable`) and logging it (`pixelpipe.event` `webhook`, outcome `delivered` or
    /// `failed`, `pixelpipe.status` the finer outcome) for the log-based metric.
    func sendWebhook(_ body: Data, job: JobID, to url: String, logger: Logger) async throws {
        do {
            try await webhook.send(body, job: job, to: url, logger: logger)
            attempted("delivered", job: job, logger: logger)
        } catch let error as TeardownError {
            if case .webhookRejected = error {
                attempted("refused", job: job, logger: logger)
            } else {
                attempted("unreachable", job: job, logger: logger)
            }
            throw error
        }
    }

    private func attempted(_ outcome: String, job: JobID, logger: Logger) {
        metrics.webhookAttempt(outcome: outcome)
        guard metrics.enabled else { return }
        logger.info("webhook attempted", metadata: [
            "pixelpipe.event": "webhook", "pixelpipe.stage": .string(metrics.stage), "pixelpipe.job": .string(job.rawValue),
            "pixelpipe.outcome": .string(outcome == "delivered" ? "delivered" : "failed"), "pixelpipe.status": .string(outcome),
        ])
    }

    /// Records a finalized job: its count by final status, each step's duration, the job's
    /// `teardown` timing document (the last bar of its waterfall) and one structured log line.
    /// Nothing when metrics are off.
    func recordTimings(_ timings: StepTimings, job: JobRecord, total: Duration, logger: Logger) async throws {
        guard metrics.enabled else { return }
        metrics.work("jobs", 1, outcome: job.status.rawValue)
        metrics.steps(timings)
        metrics.step("total", total)
        try await jobs.put(StageTimingRecord(stage: "teardown", key: "teardown", timings: timings, endedAt: Timestamp.format(Date())), job: job.id)
        let failed = (job.finalCounts?.failed ?? 0) + (job.finalCounts?.missing ?? 0)
        logger.info("job finalized", metadata: StageLogFields.metadata(event: "job", stage: metrics.stage, outcome: job.status.rawValue, timings: timings).merging([
            "pixelpipe.status": .string(job.status.rawValue), "pixelpipe.job": .string(job.id.rawValue),
            "pixelpipe.total": .stringConvertible(job.total), "pixelpipe.failed": .stringConvertible(failed),
            "pixelpipe.failure_ratio": .stringConvertible(job.total > 0 ? Double(failed) / Double(job.total) : 0),
        ]) { old, _ in old })
    }
}
