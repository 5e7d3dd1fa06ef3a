import Foundation
import GoogleCloud
import PipelineModel
import Testing
import TestSupport

/// The pipeline's metrics as a user's Prometheus sees them: one scrape of the emulator's
/// `/metrics`, which re-exports every stage's own metrics port with a `service` label; and the
/// dashboard's waterfall of a finished job.
@Suite("Pipeline end to end: metrics and the job waterfall", .serialized)
struct PipelineEndToEndMetricsTests {
    @Test("after a job with known failures, the emulator's /metrics counts items by reason and has step histograms for every stage; the job page draws its waterfall")
    func metricsAndWaterfall() async throws {
        try await withPipeline { pipeline in
            let images = pipeline.images
            images.script(7002, .status(404))
            images.script(7003, .status(404))
            images.script(7004, .notAnImage)
            images.script(7005, .failFirst(times: 1, status: 503))
            var input = ProductCSV()
            input.add("Fine", [images.url(7001), images.url(7006)])
            input.add("Missing twice", [images.url(7002), images.url(7003)])
            input.add("Web page", [images.url(7004)])
            input.add("Flaky", [images.url(7005)])
            input.add("Not a link", ["notaurl"])
            let upload = try await pipeline.upload(csv: input.text, name: "metrics.csv")
            let job = try await pipeline.awaitFinal(upload.job)
            #expect(job.status == .finishedWithErrors, "status \(job.status.rawValue)")
            #expect(job.total == 7 && job.succeeded == 3 && job.failed == 4, "\(job.succeeded) succeeded, \(job.failed) failed of \(job.total)")
            _ = try await pipeline.awaitWebhook(for: upload)

            // Teardown records its metrics after the webhook: wait for them rather than sleep.
            let http = HTTPClient()
            let scrape = try await eventually("teardown's metrics in the emulator's /metrics", within: .seconds(30)) { () -> MetricsScrape? in
                let response = try await http.get(pipeline.emulator.baseURL + "/metrics")
                let scrape = MetricsScrape(String(decoding: response.body, as: UTF8.self))
                return scrape.value("pixelpipe_webhook_attempts_total", ["service": "teardown", "outcome": "delivered"]) != nil ? scrape : nil
            }

            // Items by outcome and failure kind.
            #expect(scrape.value("pixelpipe_items_total", ["service": "process", "outcome": "failed", "reason": "http404"]) == 2, "\(scrape.lines("pixelpipe_items_total"))")
            #expect(scrape.value("pixelpipe_items_total", ["service": "process", "outcome": "failed", "reason": "unsupportedFormat"]) == 1, "\(scrape.lines("pixelpipe_items_total"))")
            #expect(scrape.value("pixelpipe_items_total", ["service": "process", "outcome": "succeeded", "reason": "none"]) == 3)
            #expect(scrape.value("pixelpipe_items_total", ["service": "process", "outcome": "retried", "reason": "http503"]) == 1)
            #expect(scrape.value("pixelpipe_items_total", ["service": "populate", "outcome": "failed", "reason": "invalidInput"]) == 1)

            // A non-empty step histogram for every stage's steps.
            let steps: [(String, String, String)] = [
                ("ingest", "scan", ""), ("ingest", "publish", ""), ("ingest", "total", ""),
                ("populate", "rows", ""), ("populate", "enqueue", ""),
                ("process", "download", ""), ("process", "decode", ""), ("process", "encode", "jpeg"), ("process", "encode", "webp"),
                ("process", "upload", ""), ("process", "ledger_commit", ""),
                ("teardown", "output_csv", ""), ("teardown", "webhook", ""),
            ]
            for (stage, step, format) in steps {
                let count = scrape.value("pixelpipe_step_duration_seconds_count", ["service": stage, "stage": stage, "step": step, "format": format]) ?? 0
                #expect(count > 0, "no \(stage) \(step) \(format) durations: \(scrape.lines("pixelpipe_step_duration_seconds_count"))")
            }
            #expect((scrape.value("pixelpipe_queue_lag_seconds_count", ["service": "process"]) ?? 0) >= 7)
            #expect((scrape.value("pixelpipe_bytes_total", ["service": "process", "direction": "in"]) ?? 0) > 0)
            #expect((scrape.value("pixelpipe_bytes_total", ["service": "process", "direction": "out"]) ?? 0) > 0)
            #expect(scrape.value("pixelpipe_work_total", ["service": "ingest", "kind": "rows"]) == 5)
            #expect(scrape.value("pixelpipe_work_total", ["service": "ingest", "kind": "shards"]) == 1)
            // Each family once, with its samples together: the merged text is valid exposition.
            #expect(scrape.typeLines("pixelpipe_step_duration_seconds") == 1)

            // Each image's steps are on its item for the waterfall.
            let items = try await pipeline.items(upload.job)
            let fine = try #require(items["1-1"]?.timings)
            #expect(fine.queuedAt != nil)
            #expect(["download", "decode", "encode_jpeg", "encode_webp", "upload"].allSatisfy { step in fine.steps.contains { $0.step == step } }, "\(fine.steps)")

            // The job's page draws the waterfall: every stage's lane and the steps of the images.
            let page = try await http.get(pipeline.emulator.baseURL + "/dashboard/jobs/\(upload.job.rawValue)")
            #expect(page.status == 200)
            let html = String(decoding: page.body, as: UTF8.self)
            #expect(html.contains("<svg class=\"waterfall\""))
            #expect(html.contains("<svg class=\"percentiles\""))
            for stage in ["ingest", "populate", "process", "teardown"] {
                #expect(html.contains("data-stage=\"\(stage)\""), "no \(stage) lane")
            }
            for step in ["wait", "scan", "publish", "rows", "enqueue", "download", "decode", "encode_jpeg", "encode_webp", "upload", "output_csv", "webhook"] {
                #expect(html.contains("step-\(step)\""), "no \(step) bar")
            }
            #expect(html.contains("webhook-delivered"))
            let dashboard = String(decoding: try await http.get(pipeline.emulator.baseURL + "/dashboard").body, as: UTF8.self)
            #expect(dashboard.contains("href=\"/dashboard/jobs/\(upload.job.rawValue)\""))

            // docs/images/waterfall.png: set PIXELPIPE_WATERFALL_SCREENSHOT to a path to take it.
            if let path = ProcessInfo.processInfo.environment["PIXELPIPE_WATERFALL_SCREENSHOT"] {
                try Self.screenshot(pipeline.emulator.baseURL + "/dashboard/jobs/\(upload.job.rawValue)", to: path)
            }
        }
    }

    /// Headless Chromium's screenshot of `url`.
    static func screenshot(_ url: String, to path: String) throws {
        let chromium = Process()
        chromium.executableURL = URL(fileURLWithPath: "/usr/bin/chromium")
        chromium.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--screenshot=\(path)", "--window-size=1400,1000", url]
        chromium.standardOutput = FileHandle.nullDevice
        chromium.standardError = FileHandle.nullDevice
        try chromium.run()
        chromium.waitUntilExit()
        #expect(chromium.terminationStatus == 0 && FileManager.default.fileExists(atPath: path), "chromium exited \(chromium.terminationStatus)")
    }
}

/// One scrape of Prometheus text, read by metric name and labels.
struct MetricsScrape: Sendable {
    let text: String

    init(_ text: String) { self.text = text }

    /// The sample lines of metric `name` (exactly, not its `_bucket` and friends).
    func lines(_ name: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && ($0.hasPrefix(name + "{") || $0.hasPrefix(name + " ")) }
    }

    /// The value of the one sample of `name` whose labels include `labels`; summed when several match.
    func value(_ name: String, _ labels: [String: String]) -> Double? {
        let matching = lines(name).filter { line in labels.allSatisfy { line.contains("\($0.key)=\"\($0.value)\"") } }
        guard !matching.isEmpty else { return nil }
        return matching.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    /// How many `# TYPE name` lines the text has.
    func typeLines(_ name: String) -> Int {
        text.split(separator: "\n").filter { $0.hasPrefix("# TYPE \(name) ") }.count
    }
}
