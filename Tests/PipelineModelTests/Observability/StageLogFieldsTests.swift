import Logging
import PipelineModel
import Testing

@Suite("Stage timings and their log fields")
struct StageLogFieldsTests {
    @Test("each step becomes pixelpipe.step.NAME_ms beside the outcome, the reason kind and the total")
    func fields() {
        var timings = StepTimings(startedAt: "2026-11-26T08:00:00.000Z")
        timings.add("download", .microseconds(12_340))
        timings.add("encode_webp", .milliseconds(3))
        let metadata = StageLogFields.metadata(event: "item", stage: "process", outcome: "failed", reason: "http404", timings: timings, queueLagMilliseconds: 250, bytesIn: 10, bytesOut: 0)
        #expect(metadata["pixelpipe.step.download_ms"]?.description == "12.3")
        #expect(metadata["pixelpipe.step.encode_webp_ms"]?.description == "3.0")
        #expect(metadata["pixelpipe.total_ms"]?.description == "15.3")
        #expect(metadata["pixelpipe.outcome"]?.description == "failed")
        #expect(metadata["pixelpipe.reason"]?.description == "http404")
        #expect(metadata["pixelpipe.stage"]?.description == "process")
        #expect(metadata["pixelpipe.queue_lag_ms"]?.description == "250.0")
        #expect(metadata["pixelpipe.bytes_in"]?.description == "10")
        #expect(metadata["pixelpipe.event"]?.description == "item")
        let encodes = StageLogFields.encodes(stage: "process", timings: timings)
        #expect(encodes.map { $0["pixelpipe.format"]?.description } == ["webp"])
        #expect(encodes.first?["pixelpipe.step.encode_ms"]?.description == "3.0")
        #expect(encodes.first?["pixelpipe.event"]?.description == "encode")
    }

    @Test("milliseconds are kept to a tenth", arguments: [(Duration.microseconds(1_249), 1.2), (.microseconds(1_251), 1.3), (.seconds(2), 2000.0)])
    func milliseconds(duration: Duration, expected: Double) {
        #expect(StepTimings.milliseconds(duration) == expected)
    }
}
