import Foundation
import PipelineModel

/// Where a job's time went, as the dashboard draws it: one lane per piece of work from the
/// upload to the webhook (ingest, each shard's populate, a sample of the image tasks, teardown),
/// each cut into its steps and the wait before it, on one time axis; and the p50/p95 of every
/// step over the whole job. Built from the job document, its stage timing documents and its
/// items' timings (`StepTimings`), which the stages write when metrics are on.
struct JobTimeline: Sendable, Equatable {
    /// One step of one lane, in milliseconds from the timeline's origin.
    struct Segment: Sendable, Equatable {
        var step: String
        var startMs: Double
        var ms: Double
        var endMs: Double { startMs + ms }
    }

    /// One row of the waterfall.
    struct Lane: Sendable, Equatable {
        /// `ingest`, `populate`, `process` or `teardown`.
        var stage: String
        var label: String
        var segments: [Segment]
        /// `failed` for an item that failed, else nil.
        var outcome: String?
        var startMs: Double { segments.first?.startMs ?? 0 }
        var endMs: Double { segments.map(\.endMs).max() ?? 0 }
    }

    /// The median and 95th percentile of one step over the job.
    struct StepPercentile: Sendable, Equatable {
        var stage: String
        var step: String
        var count: Int
        var p50: Double
        var p95: Double
    }

    var job: String
    /// The earliest instant shown (the upload, when known), as RFC 3339.
    var origin: String
    var lanes: [Lane]
    /// Image items not drawn (a large job shows a sample of its items, spread over its run).
    var hiddenItems: Int
    /// Every item's span, when items were hidden: its first start to its last end.
    var itemsSpan: Segment?
    /// When the webhook was delivered, in milliseconds from the origin.
    var webhookMs: Double?
    var percentiles: [StepPercentile]
    /// The last instant shown, in milliseconds from the origin.
    var endMs: Double { max(lanes.map(\.endMs).max() ?? 0, webhookMs ?? 0, itemsSpan?.endMs ?? 0) }

    /// The wait before a piece of work started (a task's time in its queue, a message's before
    /// delivery, the upload's before ingest), drawn as a segment of its own.
    static let wait = "wait"

    /// The timeline of a job from its documents; `maxItems` caps the image lanes drawn.
    static func build(
        job: String, createdAt: String, webhookDeliveredAt: String?, stages: [StageTimingRecord], items: [ItemRecord], maxItems: Int = 40
    ) -> JobTimeline {
        let timed = items.filter { $0.timings != nil }
        var instants: [Date] = []
        for timings in stages.map(\.timings) + timed.compactMap(\.timings) {
            if let start = Timestamp.parse(timings.startedAt) { instants.append(start) }
            if let queued = timings.queuedAt.flatMap(Timestamp.parse) { instants.append(queued) }
        }
        let origin = instants.min() ?? Timestamp.parse(createdAt) ?? Date(timeIntervalSince1970: 0)
        // To a tenth of a millisecond: timestamps are kept in milliseconds, steps in tenths.
        func offset(_ text: String?) -> Double? {
            text.flatMap(Timestamp.parse).map { ($0.timeIntervalSince(origin) * 10_000).rounded() / 10 }
        }
        func segments(_ timings: StepTimings) -> [Segment] {
            guard let start = offset(timings.startedAt) else { return [] }
            var segments: [Segment] = []
            if let queued = offset(timings.queuedAt), queued < start {
                segments.append(Segment(step: wait, startMs: queued, ms: ((start - queued) * 10).rounded() / 10))
            }
            var at = start
            for step in timings.steps {
                segments.append(Segment(step: step.step, startMs: at, ms: step.ms))
                at = ((at + step.ms) * 10).rounded() / 10
            }
            return segments
        }
        let order = ["ingest": 0, "populate": 1, "teardown": 3]
        let sortedStages = stages.sorted { (order[$0.stage] ?? 2, $0.shard ?? 0) < (order[$1.stage] ?? 2, $1.shard ?? 0) }
        var lanes = sortedStages.filter { $0.stage != "teardown" }.map { record in
            Lane(stage: record.stage, label: record.stage == "populate" ? "populate shard \(record.shard ?? 0)" : record.stage, segments: segments(record.timings))
        }
        let byStart = timed.sorted { ($0.timings?.startedAt ?? "", $0.row, $0.index) < ($1.timings?.startedAt ?? "", $1.row, $1.index) }
        let shown = sample(byStart, count: maxItems)
        lanes += shown.map { item in
            Lane(stage: "process", label: "row \(item.row) image \(item.index)", segments: segments(item.timings!), outcome: item.status == .failed ? "failed" : nil)
        }
        var itemsSpan: Segment?
        if shown.count < byStart.count {
            let all = byStart.map { segments($0.timings!) }.filter { !$0.isEmpty }
            if let first = all.map({ $0[0].startMs }).min(), let last = all.compactMap({ $0.map(\.endMs).max() }).max() {
                itemsSpan = Segment(step: "items", startMs: first, ms: last - first)
            }
        }
        lanes += sortedStages.filter { $0.stage == "teardown" }.map { Lane(stage: "teardown", label: "teardown", segments: segments($0.timings)) }
        return JobTimeline(
            job: job, origin: Timestamp.format(origin), lanes: lanes, hiddenItems: byStart.count - shown.count, itemsSpan: itemsSpan,
            webhookMs: offset(webhookDeliveredAt), percentiles: percentiles(stages: stages, items: timed)
        )
    }

    /// At most `count` elements spread evenly over `all`, first and last included.
    static func sample<T>(_ all: [T], count: Int) -> [T] {
        guard all.count > count, count > 1 else { return Array(all.prefix(max(count, 0))) }
        return (0..<count).map { all[$0 * (all.count - 1) / (count - 1)] }
    }

    /// p50 and p95 of every step, by stage, in the order steps first appear; an item's wait in
    /// its queue counts as its `wait` step.
    static func percentiles(stages: [StageTimingRecord], items: [ItemRecord]) -> [StepPercentile] {
        var samples: [String: [Double]] = [:]
        var keys: [(stage: String, step: String)] = []
        func add(_ stage: String, _ step: String, _ ms: Double) {
            let key = stage + "\u{0}" + step
            if samples[key] == nil { keys.append((stage, step)) }
            samples[key, default: []].append(ms)
        }
        func add(_ stage: String, _ timings: StepTimings) {
            if let queued = timings.queuedAt.flatMap(Timestamp.parse), let start = Timestamp.parse(timings.startedAt) {
                add(stage, wait, max(0, start.timeIntervalSince(queued) * 1000))
            }
            for step in timings.steps { add(stage, step.step, step.ms) }
        }
        for record in stages.sorted(by: { $0.key < $1.key }) where record.stage != "teardown" { add(record.stage, record.timings) }
        for item in items { if let timings = item.timings { add("process", timings) } }
        for record in stages where record.stage == "teardown" { add(record.stage, record.timings) }
        return keys.map { key in
            let values = samples[key.stage + "\u{0}" + key.step, default: []].sorted()
            return StepPercentile(stage: key.stage, step: key.step, count: values.count, p50: rank(values, 0.5), p95: rank(values, 0.95))
        }
    }

    /// The nearest-rank percentile `p` of sorted `values`.
    static func rank(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let index = Int((p * Double(values.count)).rounded(.up)) - 1
        return values[min(max(index, 0), values.count - 1)]
    }
}
