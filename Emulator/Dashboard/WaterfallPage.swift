import Foundation
import PipelineModel

/// A job's page on the dashboard: the waterfall of its timeline from the upload to the webhook,
/// and each step's p50/p95, drawn as server-rendered SVG (no JavaScript, no build step).
enum WaterfallPage {
    /// Colours by step; steps not named here take the stage's.
    static let colors: [String: String] = [
        JobTimeline.wait: "#d7d7d7", "scan": "#5b8def", "create_job": "#3f6fd8", "publish": "#2a52b0",
        "rows": "#9c6ade", "record_invalid": "#b04ad8", "enqueue": "#7a3fc0",
        "download": "#f0a030", "decode": "#3aa757", "analyse": "#74c476", "resize": "#2c8f6f",
        "encode_jpeg": "#e3563b", "encode_webp": "#c2185b", "encode_avif": "#8e244d", "encode_png": "#ff7f50",
        "upload": "#1f9bd1", "ledger_commit": "#555555",
        "output_csv": "#6d4c41", "delete_queue": "#a1887f", "webhook": "#d81b60", "items": "#bbbbbb",
    ]

    static func color(_ step: String) -> String {
        colors[step] ?? (step.hasPrefix("encode_") ? "#e3563b" : "#888888")
    }

    static func render(_ timeline: JobTimeline, record: JobRecord) -> String {
        var html = """
        <!doctype html><html lang="en"><head><meta charset="utf-8">
        <title>Job \(escape(timeline.job)) · PixelPipe emulator</title>
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}h1{font-size:1.3rem}h2{font-size:1.05rem;margin-top:1.6rem}
        .muted{color:#888}svg text{font:11px system-ui,sans-serif;fill:#333}svg .label{fill:#222}svg .failed{fill:#b33}
        .legend span{display:inline-block;margin-right:.8rem;font-size:.85em}.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.25rem;vertical-align:-.1rem;border-radius:.15rem}
        </style></head><body>
        <p><a href="/dashboard">← dashboard</a></p>
        <h1>Job <code>\(escape(timeline.job))</code></h1>
        <p class="muted">\(escape(DashboardJob.sourceName(of: record))) · \(escape(record.status.rawValue)) · \(record.total) items · from the upload at \(escape(DashboardPage.shortTime(timeline.origin)))</p>
        <h2>Where the time went</h2>
        """
        if timeline.lanes.isEmpty {
            html += "<p class=\"muted\">No timings recorded for this job (metrics off, or the job ran before they were kept).</p>"
        } else {
            html += waterfall(timeline)
            html += legend(timeline)
            if timeline.hiddenItems > 0 {
                html += "<p class=\"muted\">\(timeline.lanes.filter { $0.stage == "process" }.count) of \(timeline.lanes.filter { $0.stage == "process" }.count + timeline.hiddenItems) images shown, spread over the run; the grey bar spans them all.</p>"
            }
        }
        if !timeline.percentiles.isEmpty {
            html += "<h2>Each step over the job: p50 and p95</h2>" + percentiles(timeline.percentiles)
        }
        return html + "</body></html>\n"
    }

    /// The waterfall: a lane per piece of work, each step a bar on one time axis.
    static func waterfall(_ timeline: JobTimeline, width: Double = 1100) -> String {
        let labelWidth = 190.0, laneHeight = 18.0, top = 24.0
        let plot = width - labelWidth - 20
        let span = max(timeline.endMs, 1)
        let scale = plot / span
        var lanes = timeline.lanes
        if let itemsSpan = timeline.itemsSpan, let index = lanes.firstIndex(where: { $0.stage == "process" }) {
            lanes.insert(JobTimeline.Lane(stage: "process", label: "all \(timeline.hiddenItems + lanes.filter { $0.stage == "process" }.count) images", segments: [itemsSpan]), at: index)
        }
        let height = top + Double(lanes.count) * laneHeight + 24
        var svg = "<svg class=\"waterfall\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(format(width))\" height=\"\(format(height))\" viewBox=\"0 0 \(format(width)) \(format(height))\" role=\"img\" aria-label=\"job waterfall\">"
        // The axis: about eight ticks at round intervals.
        let tick = roundTick(span / 8)
        var at = 0.0
        while at <= span + 0.001 {
            let x = labelWidth + at * scale
            svg += "<line x1=\"\(format(x))\" y1=\"\(format(top - 6))\" x2=\"\(format(x))\" y2=\"\(format(height - 20))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(format(x))\" y=\"\(format(top - 10))\" text-anchor=\"middle\">\(escape(milliseconds(at)))</text>"
            at += tick
        }
        for (row, lane) in lanes.enumerated() {
            let y = top + Double(row) * laneHeight
            svg += "<text class=\"label\(lane.outcome == "failed" ? " failed" : "")\" x=\"4\" y=\"\(format(y + 12))\">\(escape(lane.label))</text>"
            for segment in lane.segments {
                let x = labelWidth + segment.startMs * scale
                let w = max(segment.ms * scale, 0.8)
                svg += "<rect class=\"step step-\(escape(segment.step))\" data-stage=\"\(escape(lane.stage))\" x=\"\(format(x))\" y=\"\(format(y + 3))\" width=\"\(format(w))\" height=\"\(format(laneHeight - 6))\" fill=\"\(color(segment.step))\">"
                svg += "<title>\(escape(lane.label)): \(escape(segment.step)) \(escape(milliseconds(segment.ms)))</title></rect>"
            }
        }
        if let webhook = timeline.webhookMs {
            let x = labelWidth + webhook * scale
            svg += "<line class=\"webhook-delivered\" x1=\"\(format(x))\" y1=\"\(format(top - 4))\" x2=\"\(format(x))\" y2=\"\(format(height - 20))\" stroke=\"#d81b60\" stroke-dasharray=\"3,2\"/>"
            svg += "<text x=\"\(format(min(x, width - 60)))\" y=\"\(format(height - 6))\" text-anchor=\"middle\">webhook delivered</text>"
        }
        return svg + "</svg>"
    }

    /// The steps the waterfall uses, with their colours.
    static func legend(_ timeline: JobTimeline) -> String {
        var seen: [String] = []
        for lane in timeline.lanes { for segment in lane.segments where !seen.contains(segment.step) { seen.append(segment.step) } }
        return "<p class=\"legend\">" + seen.map { "<span><i style=\"background:\(color($0))\"></i>\(escape($0))</span>" }.joined() + "</p>"
    }

    /// A bar pair per step: p50 solid, p95 pale behind it, on a shared scale.
    static func percentiles(_ steps: [JobTimeline.StepPercentile], width: Double = 1100) -> String {
        let labelWidth = 190.0, rowHeight = 20.0
        let plot = width - labelWidth - 270
        let largest = max(steps.map(\.p95).max() ?? 1, 0.1)
        let height = Double(steps.count) * rowHeight + 8
        var svg = "<svg class=\"percentiles\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(format(width))\" height=\"\(format(height))\" viewBox=\"0 0 \(format(width)) \(format(height))\" role=\"img\" aria-label=\"p50 and p95 per step\">"
        for (row, step) in steps.enumerated() {
            let y = 4 + Double(row) * rowHeight
            svg += "<text class=\"label\" x=\"4\" y=\"\(format(y + 13))\">\(escape(step.stage)) · \(escape(step.step))</text>"
            svg += "<rect class=\"p95\" x=\"\(format(labelWidth))\" y=\"\(format(y + 3))\" width=\"\(format(max(step.p95 / largest * plot, 0.8)))\" height=\"\(format(rowHeight - 6))\" fill=\"\(color(step.step))\" fill-opacity=\"0.35\"/>"
            svg += "<rect class=\"p50\" x=\"\(format(labelWidth))\" y=\"\(format(y + 3))\" width=\"\(format(max(step.p50 / largest * plot, 0.8)))\" height=\"\(format(rowHeight - 6))\" fill=\"\(color(step.step))\"/>"
            svg += "<text x=\"\(format(labelWidth + plot + 8))\" y=\"\(format(y + 13))\">p50 \(escape(milliseconds(step.p50))) · p95 \(escape(milliseconds(step.p95))) · n=\(step.count)</text>"
        }
        return svg + "</svg>"
    }

    /// `0 ms`, `12 ms`, `1.5 s`, `2 min 3 s`.
    static func milliseconds(_ ms: Double) -> String {
        if ms < 10 { return String(format: "%.1f ms", ms) }
        if ms < 1000 { return "\(Int(ms.rounded())) ms" }
        if ms < 60_000 { return String(format: "%.1f s", ms / 1000) }
        let seconds = Int((ms / 1000).rounded())
        return "\(seconds / 60) min \(seconds % 60) s"
    }

    /// A round tick interval (1, 2 or 5 × 10ⁿ ms) near `rough`.
    static func roundTick(_ rough: Double) -> Double {
        guard rough > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(rough)))
        let fraction = rough / magnitude
        return (fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10) * magnitude
    }

    private static func format(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    private static func escape(_ text: String) -> String { DashboardPage.escape(text) }
}
