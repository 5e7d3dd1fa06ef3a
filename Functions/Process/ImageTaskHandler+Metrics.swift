import Foundation
import Logging
import PipelineModel

extension ImageTaskHandler {
    /// Records one finished item: its count by outcome and failure kind, each step's duration,
    /// the bytes read and written, and one structured log line (`StageLogFields`) that Cloud
    /// Logging's log-based metrics read. Nothing when metrics are off.
    func record(
        _ item: ItemRecord, reason: String, timings: StepTimings, total: Duration, eta: Date?, started: Date, bytesIn: Int, logger: Logger
    ) {
        guard metrics.enabled else { return }
        let outcome = item.status.rawValue
        let bytesOut = item.outputs.reduce(0) { $0 + $1.bytes }
        metrics.item(outcome: outcome, reason: reason)
        metrics.steps(timings)
        metrics.step("total", total)
        metrics.bytes("in", bytesIn)
        metrics.bytes("out", bytesOut)
        // The one line per item that the log-based metrics in Google Cloud count; it is the
        // record of the item's timing there, so it is logged at info.
        logger.info("image item done", metadata: StageLogFields.metadata(
            event: "item", stage: metrics.stage, outcome: outcome, reason: reason, timings: timings,
            queueLagMilliseconds: eta.map { max(0, started.timeIntervalSince($0)) * 1000 }, bytesIn: bytesIn, bytesOut: bytesOut
        ).merging(["pixelpipe.item": .string(item.id)]) { old, _ in old })
        for encode in StageLogFields.encodes(stage: metrics.stage, timings: timings) {
            logger.info("image encoded", metadata: encode.merging(["pixelpipe.item": .string(item.id)]) { old, _ in old })
        }
    }
}
