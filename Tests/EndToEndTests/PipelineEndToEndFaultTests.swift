import Foundation
import PipelineModel
import PixelPipeCore
import Testing
import TestSupport

/// Faults the pipeline meets in the wild: sources that fail for a while, sources that are
/// wrong for good, and the process binary dying mid-job.
@Suite("Pipeline end to end: faults", .serialized)
struct PipelineEndToEndFaultTests {
    @Test("503 twice then 200 is retried and succeeds; 404 and a non-image fail with reasons after one download each")
    func sourceFaults() async throws {
        try await withPipeline { pipeline in
            let images = pipeline.images
            images.script(2001, .failFirst(times: 2, status: 503))
            images.script(2005, .failFirst(times: 2, status: 503))
            images.script(2002, .status(404))
            images.script(2004, .notAnImage)
            var input = ProductCSV()
            input.add("Flaky", [images.url(2001)])
            input.add("Missing and fine", [images.url(2002), images.url(2003)])
            input.add("Web page", [images.url(2004)])
            input.add("Flaky and fine", [images.url(2005), images.url(2006)])
            let upload = try await pipeline.upload(csv: input.text, name: "faults.csv")
            let job = try await pipeline.awaitFinal(upload.job)

            #expect(job.status == .finishedWithErrors, "status \(job.status.rawValue)")
            #expect(job.total == 6)
            #expect(job.succeeded == 4)
            #expect(job.failed == 2)

            #expect(images.hits(2001) == 3, "503-twice source fetched \(images.hits(2001)) times")
            #expect(images.hits(2005) == 3, "503-twice source fetched \(images.hits(2005)) times")
            #expect(images.hits(2002) == 1, "404 source fetched \(images.hits(2002)) times: a permanent error must not be retried")
            #expect(images.hits(2004) == 1, "non-image source fetched \(images.hits(2004)) times: a permanent error must not be retried")

            let items = try await pipeline.items(upload.job)
            #expect(items["1-1"]?.status == .succeeded)
            #expect((items["1-1"]?.attempt ?? 0) >= 3, "the retried item was recorded by attempt \(items["1-1"]?.attempt.map(String.init) ?? "-")")
            let notFound = try #require(items["2-1"])
            #expect(notFound.status == .failed)
            #expect(notFound.error?.contains("404") == true, "404 reason: \(notFound.error ?? "none")")
            let webPage = try #require(items["3-1"])
            #expect(webPage.status == .failed)
            #expect(webPage.error.map { !$0.isEmpty } == true, "non-image reason: \(webPage.error ?? "none")")
            print("reasons: 404 → \(notFound.error ?? "-"); non-image → \(webPage.error ?? "-")")

            let outputs = try await pipeline.outputs(upload.job)
            #expect(outputs.count == 4 * 4)
            try await pipeline.checkOutputs(job: upload.job, product: "Flaky", row: 1, index: 1, in: outputs)
            try await pipeline.checkOutputs(job: upload.job, product: "Missing and fine", row: 2, index: 2, in: outputs)
            let csv = try await pipeline.checkOutputCSV(job: upload.job, input: input, failedRows: [2, 3])
            #expect(csv.cell(csv.rows[1], "Error").contains("404"), "row 2 Error: \(csv.cell(csv.rows[1], "Error"))")
            try pipeline.checkSingleWebhook(for: upload, status: "finished_with_errors")
            #expect(try await pipeline.jobQueueExists(upload.job) == false)
        }
    }

    @Test("a source failing with 503 for good is retried past maxAttempts until the queue's retry window is spent; the reason says how many attempts over how long")
    func retryWindow() async throws {
        try await withPipeline(environment: ["IMAGE_QUEUE_MAX_ATTEMPTS": "2", "IMAGE_QUEUE_MAX_RETRY_DURATION": "6"]) { pipeline in
            pipeline.images.script(2101, .status(503))
            var input = ProductCSV()
            input.add("Down for good", [pipeline.images.url(2101)])
            let upload = try await pipeline.upload(csv: input.text, name: "retry-window.csv")
            let job = try await pipeline.awaitFinal(upload.job)
            #expect(job.status == .finishedWithErrors && job.failed == 1)
            let item = try #require(try await pipeline.items(upload.job)["1-1"])
            let hits = pipeline.images.hits(2101)
            // Backoff 0.1 s doubling up to 0.5 s: 2 attempts would take a fraction of a second.
            #expect(hits > 4, "fetched \(hits) times within a 6 s window")
            #expect(item.attempt == hits)
            let reason = item.error ?? ""
            #expect(reason.contains("gave up after \(hits) attempts over "), "reason: \(reason)")
            let seconds = Int(reason.split(separator: " over ").last?.split(separator: " ").first ?? "") ?? 0
            #expect((5...20).contains(seconds), "reason: \(reason)")
            print("retry window: \(reason)")
        }
    }

    @Test("the process binary killed mid-job is restarted by the supervisor and the job still completes with exact counts")
    func processKilledMidJob() async throws {
        // Attempts to spare: tasks cut off by the kill and refused during the restart are retried.
        try await withPipeline(environment: ["IMAGE_QUEUE_MAX_ATTEMPTS": "20", "IMAGE_QUEUE_CONCURRENCY": "8"]) { pipeline in
            var input = ProductCSV()
            for number in 0..<20 {
                let first = 3000 + number * 2
                pipeline.images.script(first, .slow(.milliseconds(300)))
                pipeline.images.script(first + 1, .slow(.milliseconds(300)))
                input.add("Item \(number + 1)", [pipeline.images.url(first), pipeline.images.url(first + 1)])
            }
            let upload = try await pipeline.upload(csv: input.text, name: "killed.csv")

            // Kill once some images are counted but most are not.
            let counted = try await eventually("some images of job \(upload.job) to be counted", within: .seconds(60)) { () -> Int? in
                guard let job = try await pipeline.job(upload.job), job.succeeded + job.failed >= 6 else { return nil }
                return job.succeeded + job.failed
            }
            #expect(counted < 40, "the job finished before the kill (\(counted) counted)")
            let restarted = try await pipeline.emulator.killStage("process")
            #expect(pipeline.emulator.lines.contains { $0.contains("service exited; restarting it") })

            let job = try await pipeline.awaitFinal(upload.job, within: .seconds(120))
            #expect(job.status == .finished, "status \(job.status.rawValue), error \(job.error ?? "none")")
            #expect(job.total == 40)
            #expect(job.succeeded == 40)
            #expect(job.failed == 0)
            #expect(job.remaining == 0)
            let items = try await pipeline.items(upload.job)
            #expect(items.count == 40)
            #expect(try await pipeline.outputs(upload.job).count == 40 * 4)
            _ = try await pipeline.checkOutputCSV(job: upload.job, input: input, failedRows: [])
            try pipeline.checkSingleWebhook(for: upload, status: "finished")
            #expect(pipeline.emulator.pid(of: "process") == restarted, "process restarted more than once")
        }
    }
}
