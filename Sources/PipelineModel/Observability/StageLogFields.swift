import Logging

/// The structured fields of the one log line a stage writes per unit of work (an item, a shard,
/// a job), which Cloud Logging's log-based metrics read (docs/observability.md lists them, and
/// infra/monitoring/metrics/ filters on `pixelpipe.event`): `pixelpipe.event` (`item`,
/// `ingest`, `shard`, `job`), `pixelpipe.stage`, `pixelpipe.outcome`, `pixelpipe.reason` (a failure kind),
/// `pixelpipe.step.NAME_ms` for every step, `pixelpipe.total_ms`, and, when known,
/// `pixelpipe.queue_lag_ms`, `pixelpipe.bytes_in`, `pixelpipe.bytes_out`.
public enum StageLogFields {
    /// The fields of one unit of work.
    public static func metadata(
        event: String, stage: String, outcome: String, reason: String = "none", timings: StepTimings,
        queueLagMilliseconds: Double? = nil, bytesIn: Int? = nil, bytesOut: Int? = nil
    ) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "pixelpipe.event": .string(event),
            "pixelpipe.stage": .string(stage),
            "pixelpipe.outcome": .string(outcome),
            "pixelpipe.reason": .string(reason),
            "pixelpipe.total_ms": .stringConvertible(rounded(timings.totalMilliseconds)),
        ]
        for step in timings.steps {
            metadata["pixelpipe.step.\(step.step)_ms"] = .stringConvertible(rounded(step.ms))
        }
        if let queueLagMilliseconds { metadata["pixelpipe.queue_lag_ms"] = .stringConvertible(rounded(queueLagMilliseconds)) }
        if let bytesIn { metadata["pixelpipe.bytes_in"] = .stringConvertible(bytesIn) }
        if let bytesOut { metadata["pixelpipe.bytes_out"] = .stringConvertible(bytesOut) }
        return metadata
    }

    /// One line per encode of an item (`pixelpipe.event` `encode`): the format and the
    /// milliseconds of every `encode_FORMAT` step of `timings`, so a distribution metric can
    /// label each encode by its format.
    public static func encodes(stage: String, timings: StepTimings) -> [Logger.Metadata] {
        timings.steps.filter { $0.step.hasPrefix("encode_") }.map { step in
            [
                "pixelpipe.event": .string("encode"), "pixelpipe.stage": .string(stage),
                "pixelpipe.format": .string(String(step.step.dropFirst("encode_".count))),
                "pixelpipe.step.encode_ms": .stringConvertible(rounded(step.ms)),
            ]
        }
    }

    /// Milliseconds as a number without a needless `.0`.
    private static func rounded(_ value: Double) -> Double {
        (value * 10).rounded() / 10
    }
}
