import Foundation
import Runtime
import Testing
import TestSupport

/// The whole pipeline as users run it: `emulator up` with the real stage binaries, a CSV
/// uploaded to the uploads bucket, images downloaded from a local web server.
@Suite("Pipeline end to end: a CSV of 50 products and 120 images", .serialized)
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

            try pipeline.checkSingleWebhook(for: upload, status: "finished")
            #expect(try await pipeline.jobQueueExists(upload.job) == false, "queue images-\(upload.job) still exists")
        }
    }
}
