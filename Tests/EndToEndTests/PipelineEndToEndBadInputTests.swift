import Foundation
import GoogleCloud
import PipelineModel
import Testing
import TestSupport

/// Hostile and broken input: CSVs that cannot be a job are rejected with a reason (and the
/// webhook says so); rows with dangerous URLs fail one by one while the rest of the file is
/// processed; no stage process dies on any of it.
@Suite("Pipeline end to end: bad CSVs and bad URLs", .serialized, .sharedPipeline())
struct PipelineEndToEndBadInputTests {
    /// A CSV that must be rejected, and words one of which its reason must contain.
    struct Rejected: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: @Sendable () -> Data
        var reasonMentions: [String]
        /// The object's metadata (`recipe`), besides the webhook.
        var metadata: [String: String] = [:]
        var testDescription: String { name }
    }

    /// A good CSV, for the cases where only the metadata is wrong.
    static let goodCSV: @Sendable () -> Data = { Data("S. No.,Product Name,Input Image Urls\r\n1,Lamp,http://127.0.0.1:9/a.jpg\r\n".utf8) }

    static let rejected: [Rejected] = [
        Rejected(name: "empty", bytes: { Data() }, reasonMentions: ["empty", "header", "no data", "no rows"]),
        Rejected(name: "binary", bytes: {
            // A PNG signature, NULs and bytes that are not UTF-8.
            Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D] + (0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 131) })
        }, reasonMentions: ["text", "binary", "utf-8", "nul"]),
        Rejected(name: "no-url-column", bytes: {
            Data("S. No.,Product Name,Price\r\n1,Lamp,10\r\n2,Chair,20\r\n".utf8)
        }, reasonMentions: ["url"]),
        Rejected(name: "two-url-columns", bytes: {
            // The second column's images must not be silently left unfetched.
            Data("S. No.,Product Name,Input Image Urls,Price,image_url\r\n1,Lamp,http://127.0.0.1:9/a.jpg,10,http://127.0.0.1:9/b.jpg\r\n".utf8)
        }, reasonMentions: [#"two image url columns: "input image urls" (column 3) and "image_url" (column 5); keep one"#]),
        Rejected(name: "recipe-over-budget", bytes: goodCSV, reasonMentions: [
            #"sizes[0] ("a") asks for 8192x8192 = 67108864 pixels per output image, over the budget max_output_pixels=40000000"#,
        ], metadata: ["recipe": #"{"sizes":[{"name":"a","width":8192,"height":8192,"fit":"fill"},{"name":"b","width":8192,"height":8192,"fit":"fill"}],"formats":["jpeg","webp","png"]}"#]),
        Rejected(name: "recipe-unknown-key", bytes: goodCSV, reasonMentions: [
            "unknown recipe key filters.sepia; expected one of grayscale, blur, sharpen",
        ], metadata: ["recipe": #"{"filters":{"sepia":true}}"#]),
        Rejected(name: "over-size-limit", bytes: {
            var text = "S. No.,Product Name,Input Image Urls\r\n"
            var number = 1
            while text.utf8.count <= PipelineHarness.csvLimit {
                text += "\(number),Product \(number),http://127.0.0.1:9/img/\(number).jpg\r\n"
                number += 1
            }
            return Data(text.utf8)
        }, reasonMentions: ["limit", "large", "size", "bytes"]),
    ]

    @Test("a structurally bad CSV is rejected with a clear reason, and the webhook says rejected", arguments: rejected)
    func rejectedCSV(_ bad: Rejected) async throws {
        let pipeline = try SharedPipeline.harness()
        let before = pipeline.emulator.stagePIDs()
        let upload = try await pipeline.upload(bad.bytes(), name: "bad-\(bad.name).csv", metadata: bad.metadata)
        let job = try await pipeline.awaitFinal(upload.job)

        #expect(job.status == .rejected, "\(bad.name): status \(job.status.rawValue)")
        let reason = job.error ?? ""
        #expect(bad.reasonMentions.contains { reason.lowercased().contains($0) }, "\(bad.name): reason '\(reason)' mentions none of \(bad.reasonMentions)")
        print("rejected \(bad.name): \(reason)")
        #expect(job.succeeded == 0)

        _ = try await pipeline.awaitWebhook(for: upload)
        try pipeline.checkSingleWebhook(for: upload, status: "rejected")
        #expect(try await pipeline.jobQueueExists(upload.job) == false)
        #expect(try await pipeline.outputs(upload.job).isEmpty)
        #expect(pipeline.emulator.stagePIDs() == before, "a stage process was restarted")
    }

    @Test("a rejected CSV's finalize event delivered again sends no second webhook and changes nothing")
    func rejectedTwice() async throws {
        let pipeline = try SharedPipeline.harness()
        let upload = try await pipeline.upload(csv: "S. No.,Product Name\r\n1,Lamp\r\n", name: "bad-twice.csv")
        #expect(try await pipeline.awaitFinal(upload.job).status == .rejected)
        _ = try await pipeline.awaitWebhook(for: upload)
        try await pipeline.emulator.awaitIdle()
        let before = try await JobSnapshot(upload, in: pipeline)

        let response = try await pipeline.redeliverFinalize(of: upload)
        #expect((200..<300).contains(response.status), "ingest answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        try await pipeline.emulator.awaitIdle()
        let after = try await JobSnapshot(upload, in: pipeline)
        #expect(after.content == before.content, "before: \(before.content)\nafter:  \(after.content)")
        #expect(after.webhookCalls == 1)
    }

    @Test("javascript:, file:, ftp: and metadata-server URLs fail row by row with reasons; the valid rows of the same CSV are processed")
    func dangerousURLs() async throws {
        let pipeline = try SharedPipeline.harness()
        let before = pipeline.emulator.stagePIDs()
        #expect(before.values.count == 4)
        let images = pipeline.images
        var input = ProductCSV()
        input.add("Valid first", [images.url(4001)])
        input.add("Script", ["javascript:alert(document.cookie)"])
        input.add("Local file", ["file:///etc/passwd"])
        input.add("FTP", ["ftp://example.com/image.jpg"])
        input.add("Metadata server", ["http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token"])
        input.add("Mixed", [images.url(4002), "javascript:void(0)"])
        input.add("Valid last", [images.url(4003)])
        let upload = try await pipeline.upload(csv: input.text, name: "dangerous-urls.csv")
        let job = try await pipeline.awaitFinal(upload.job)

        #expect(job.status == .finishedWithErrors, "status \(job.status.rawValue), error \(job.error ?? "none")")
        #expect(job.total == 8)
        #expect(job.succeeded == 3)
        #expect(job.failed == 5)

        let items = try await pipeline.items(upload.job)
        #expect(items.count == 8, "items: \(items.keys.sorted())")
        let failures: [(row: Int, mentions: [String])] = [
            (2, ["javascript", "scheme", "http"]), (3, ["file", "scheme", "http"]), (4, ["ftp", "scheme", "http"]),
            (5, ["169.254", "blocked", "not allowed", "address", "link-local", "metadata"]), (6, ["javascript", "scheme", "http"]),
        ]
        for failure in failures {
            let item = items.values.first { $0.row == failure.row && $0.status == .failed }
            let reason = item?.error ?? ""
            #expect(failure.mentions.contains { reason.lowercased().contains($0) }, "row \(failure.row): reason '\(reason)'")
            print("row \(failure.row) failed: \(reason)")
        }
        let outputs = try await pipeline.outputs(upload.job)
        #expect(outputs.count == 3 * 4)
        try await pipeline.checkOutputs(job: upload.job, product: "Valid first", row: 1, index: 1, in: outputs)
        try await pipeline.checkOutputs(job: upload.job, product: "Mixed", row: 6, index: 1, in: outputs)
        try await pipeline.checkOutputs(job: upload.job, product: "Valid last", row: 7, index: 1, in: outputs)
        _ = try await pipeline.checkOutputCSV(job: upload.job, input: input, failedRows: [2, 3, 4, 5, 6])
        try pipeline.checkSingleWebhook(for: upload, status: "finished_with_errors")

        // Nothing crashed: the same four stage processes, and no restart in the log.
        #expect(pipeline.emulator.stagePIDs() == before)
        #expect(!pipeline.emulator.lines.contains { $0.contains("service exited") })
    }
}
