import Foundation
import Logging
import PipelineModel

extension JobFinalizer {
    /// Sends the webhook, counting the attempt by outcome (`delivered`, `refused`, `unreachable`).
    func sendWebhook(_ body: Data, job: JobID, to url: String, logger: Logger) async throws {
        do {
            try await webhook.send(body, job: job, to: url, logger: logger)
            metrics.webhookAttempt(outcome: "delivered")
        } catch let error as TeardownError {
            if case .webhookRejected = error {
                metrics.webhookAttempt(outcome: "refused")
            } else {
                metrics.webhookAttempt(outcome: "unreachable")
            }
            throw error
        }
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
        logger.info("job finalized", metadata: StageLogFields.metadata(stage: metrics.stage, outcome: job.status.rawValue, timings: timings))
    }
}
