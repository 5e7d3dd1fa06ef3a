import Foundation
import GoogleCloud
import PipelineModel
import Testing
import TestSupport

/// The whole pipeline as users run it: `emulator up` with the real stage binaries, a CSV
/// uploaded to the uploads bucket, images downloaded from a local web server.
@Suite("Pipeline end to end: whole jobs", .serialized)
struct PipelineEndToEndTests {
    /// 50 products, the first 20 with three images and the rest with two: 120 images, each
    /// its own URL. Some names need quoting, so the output CSV must keep them exactly.
    static func products(_ images: ImageServer) -> ProductCSV {
        var csv = ProductCSV()
        var next = 1
        for number in 1...50 {
            let count = number <= 20 ? 3 : 2
            let name = switch number % 10 {
            case 3: "Shoe, blue (size \(number))"
            case 7: "Monitor 27\" no. \(number)"
            default: "Product \(number)"
            }
            csv.add(name, (next..<(next + count)).map { images.url($0) })
            next += count
        }
        return csv
    }

    @Test("every image is processed into every size and format; output CSV, one signed webhook, job finished, job queue gone")
    func fullJob() async throws {
        try await withPipeline { pipeline in
            let input = Self.products(pipeline.images)
            #expect(input.rows.reduce(0) { $0 + $1.urls.count } == 120)
            let upload = try await pipeline.upload(csv: input.text, name: "products-120.csv")
            let job = try await pipeline.awaitFinal(upload.job, within: .seconds(120))

            #expect(job.status == .finished, "job \(job.id): \(job.status.rawValue), error \(job.error ?? "none")")
            #expect(job.total == 120)
            #expect(job.succeeded == 120)
            #expect(job.failed == 0)
            #expect(job.remaining == 0)
            #expect(job.rows == 50)

            let items = try await pipeline.items(upload.job)
            #expect(items.count == 120)
            #expect(items.values.allSatisfy { $0.status == .succeeded && $0.outputs.count == 4 })

            let outputs = try await pipeline.outputs(upload.job)
            #expect(outputs.count == 120 * 4, "\(outputs.count) output objects")
            for (offset, row) in input.rows.enumerated() {
                for index in 1...row.urls.count {
                    try await pipeline.checkOutputs(job: upload.job, product: row.product, row: offset + 1, index: index, in: outputs)
                }
            }
            // Each image was downloaded once.
            #expect(pipeline.images.allHits.values.allSatisfy { $0 == 1 }, "hits: \(pipeline.images.allHits.filter { $0.value != 1 })")

            let output = try await pipeline.checkOutputCSV(job: upload.job, input: input, failedRows: [])
            // A link from the output CSV serves the image it names.
            if let link = output.rows.first.map({ output.cell($0, "Output Image Urls") })?.split(separator: ",").first {
                let response = try await HTTPClient().get(link.trimmingCharacters(in: .whitespaces))
                #expect(response.status == 200)
                #expect(ImageHeader(response.body) != nil, "\(link) does not serve an image")
            }

            // Once, also after everything queued has run (a retried teardown would call again).
            try await pipeline.emulator.awaitIdle()
            try pipeline.checkSingleWebhook(for: upload, status: "finished")
            #expect(try await pipeline.jobQueueExists(upload.job) == false, "queue images-\(upload.job) still exists")
        }
    }

    @Test("a CSV dropped into the uploads bucket folder becomes a job whose outputs and output CSV appear in the processed folder")
    func folderDrop() async throws {
        try await withPipeline { pipeline in
            var input = ProductCSV()
            input.add("Dropped lamp", [pipeline.images.url(5001), pipeline.images.url(5002)])
            input.add("Dropped chair", [pipeline.images.url(5003)])
            let buckets = pipeline.emulator.dataDirectory.appendingPathComponent("buckets")
            let folder = buckets.appendingPathComponent(pipeline.configuration.uploadsBucket)
            // Written under a dot-name and renamed, as scripts/run does, so the watcher sees it whole.
            let part = folder.appendingPathComponent(".dropped.csv.part")
            try Data(input.text.utf8).write(to: part)
            try FileManager.default.moveItem(at: part, to: folder.appendingPathComponent("dropped.csv"))

            let object = try await eventually("dropped.csv to become an object") {
                try? await pipeline.clients.storage.metadata(bucket: pipeline.configuration.uploadsBucket, name: "dropped.csv")
            }
            let job = PipelineNames.jobID(bucket: object.bucket, object: object.name, generation: try #require(object.generationNumber))
            let record = try await pipeline.awaitFinal(job)
            #expect(record.status == .finished && record.succeeded == 3, "\(record.status.rawValue): \(record.succeeded) of \(record.total)")

            let processed = buckets.appendingPathComponent(pipeline.configuration.processedBucket).appendingPathComponent(job.rawValue)
            let file = try Data(contentsOf: processed.appendingPathComponent("output.csv"))
            #expect(file == (try await pipeline.processedObject(PipelineNames.outputCSV(job: job))))
            _ = try await pipeline.checkOutputCSV(job: job, input: input, failedRows: [])
            let images = try FileManager.default.subpathsOfDirectory(atPath: processed.path).filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".webp") }
            #expect(images.count == 3 * 4, "files under \(processed.path): \(images)")
            // No webhook-url metadata: the configured WEBHOOK_URL is called.
            #expect(pipeline.webhooks.requests.filter { $0.path == "/hooks/default" }.count == 1)
        }
    }
}
