import Foundation
import PipelineModel
import Testing
@testable import Emulator

@Suite("The job waterfall")
struct JobTimelineTests {
    static let ingest = StageTimingRecord(
        stage: "ingest", key: "ingest",
        timings: StepTimings(startedAt: "2026-11-26T08:00:00.100Z", queuedAt: "2026-11-26T08:00:00.000Z", steps: [.init(step: "scan", ms: 20), .init(step: "publish", ms: 10)]),
        endedAt: "2026-11-26T08:00:00.130Z"
    )
    static let teardown = StageTimingRecord(
        stage: "teardown", key: "teardown",
        timings: StepTimings(startedAt: "2026-11-26T08:00:02.000Z", steps: [.init(step: "output_csv", ms: 50), .init(step: "webhook", ms: 30)]),
        endedAt: "2026-11-26T08:00:02.080Z"
    )

    static func item(_ row: Int, startedAt: String, download: Double, failed: Bool = false) -> ItemRecord {
        ItemRecord(
            row: row, index: 1, url: "http://x/\(row).jpg", product: "p", status: failed ? .failed : .succeeded, recordedAt: startedAt,
            timings: StepTimings(startedAt: startedAt, queuedAt: "2026-11-26T08:00:00.500Z", steps: [.init(step: "download", ms: download), .init(step: "decode", ms: 5)])
        )
    }

    @Test("lanes run from the upload: ingest's wait and steps, each item's queue wait then steps, teardown last; the webhook marked")
    func lanes() {
        let items = [Self.item(2, startedAt: "2026-11-26T08:00:01.000Z", download: 100), Self.item(1, startedAt: "2026-11-26T08:00:00.600Z", download: 40, failed: true)]
        let timeline = JobTimeline.build(
            job: "00000000000000aa", createdAt: "2026-11-26T08:00:00.100Z", webhookDeliveredAt: "2026-11-26T08:00:02.080Z",
            stages: [Self.teardown, Self.ingest], items: items
        )
        #expect(timeline.origin == "2026-11-26T08:00:00.000Z")
        #expect(timeline.lanes.map(\.label) == ["ingest", "row 1 image 1", "row 2 image 1", "teardown"])
        #expect(timeline.lanes[0].segments == [.init(step: "wait", startMs: 0, ms: 100), .init(step: "scan", startMs: 100, ms: 20), .init(step: "publish", startMs: 120, ms: 10)])
        #expect(timeline.lanes[1].segments.first == .init(step: "wait", startMs: 500, ms: 100))
        #expect(timeline.lanes[1].outcome == "failed")
        #expect(timeline.webhookMs == 2080)
        #expect(timeline.endMs == 2080)
        let download = timeline.percentiles.first { $0.stage == "process" && $0.step == "download" }
        #expect(download == .init(stage: "process", step: "download", count: 2, p50: 40, p95: 100))
    }

    @Test("a large job draws a sample of its items, first and last included, and a bar spanning them all")
    func sample() {
        let items = (1...100).map { Self.item($0, startedAt: Timestamp.format(Date(timeIntervalSince1970: 1_795_000_000 + Double($0))), download: 10) }
        let timeline = JobTimeline.build(job: "00000000000000aa", createdAt: "2026-11-26T08:00:00.000Z", webhookDeliveredAt: nil, stages: [], items: items, maxItems: 10)
        #expect(timeline.lanes.count == 10)
        #expect(timeline.lanes.first?.label == "row 1 image 1" && timeline.lanes.last?.label == "row 100 image 1")
        #expect(timeline.hiddenItems == 90)
        #expect(timeline.itemsSpan != nil)
    }

    @Test("the page draws the waterfall and the percentiles as SVG, a bar per step")
    func page() {
        let timeline = JobTimeline.build(
            job: "00000000000000aa", createdAt: "2026-11-26T08:00:00.100Z", webhookDeliveredAt: "2026-11-26T08:00:02.080Z",
            stages: [Self.ingest, Self.teardown], items: [Self.item(1, startedAt: "2026-11-26T08:00:00.600Z", download: 40)]
        )
        let record = JobRecord(
            id: JobID("00000000000000aa")!, source: .init(bucket: "uploads", name: "in/products.csv", generation: "1"), total: 1, rows: 1,
            invalidRows: 0, shards: 1, recipe: nil, webhookURL: nil, createdAt: Date(), deadline: Date()
        )
        let html = WaterfallPage.render(timeline, record: record)
        #expect(html.contains("<svg class=\"waterfall\""))
        #expect(html.contains("<svg class=\"percentiles\""))
        for step in ["wait", "scan", "publish", "download", "decode", "output_csv", "webhook"] {
            #expect(html.contains("class=\"step step-\(step)\""), "no \(step) bar")
        }
        #expect(html.contains("products.csv"))
        #expect(html.contains("webhook-delivered"))
    }

    @Test("tick intervals are round", arguments: [(0.7, 0.5), (13.0, 10.0), (260.0, 200.0), (4100.0, 5000.0)])
    func ticks(rough: Double, expected: Double) {
        #expect(WaterfallPage.roundTick(rough) == expected)
    }
}
