import Foundation
import GoogleCloud
import PipelineModel
import Testing
import TestSupport

/// Checks shared by the end-to-end tests: what a finished image, an output CSV and a webhook
/// call must look like.
extension PipelineHarness {
    /// The object names image `index` of `row` must produce under the test recipe.
    func expectedOutputs(job: JobID, product: String, row: Int, index: Int) -> [(name: String, size: String, format: String)] {
        Self.sizes.keys.sorted().flatMap { size in
            Self.formats.keys.sorted().map { format in
                // Named with the format's file extension (`jpg` for JPEG), as process names them.
                (PipelineNames.outputObject(job: job, product: product, row: row, index: index, size: size, format: OutputFormat(rawValue: format)?.fileExtension ?? format), size, format)
            }
        }
    }

    /// Checks that every output of image `index` of `row` exists with the recipe's width, the
    /// source's aspect ratio, the right encoding and Content-Type.
    func checkOutputs(job: JobID, product: String, row: Int, index: Int, in outputs: [String: StorageObject]) async throws {
        for expected in expectedOutputs(job: job, product: product, row: row, index: index) {
            guard let object = outputs[expected.name] else {
                Issue.record("missing output \(expected.name) (have e.g. \(outputs.keys.sorted().prefix(4)))")
                continue
            }
            #expect(object.contentType == Self.formats[expected.format], "\(expected.name): Content-Type \(object.contentType ?? "none")")
            let bytes = try await processedObject(expected.name)
            let header = try #require(ImageHeader(bytes), "\(expected.name) is neither JPEG nor WebP (\(bytes.count) bytes)")
            let width = Self.sizes[expected.size]!
            #expect(header.format == expected.format, "\(expected.name) is \(header.format)")
            #expect(header.width == width, "\(expected.name) is \(header.width) wide")
            #expect(header.height == width * TestImages.height / TestImages.width, "\(expected.name) is \(header.height) high")
        }
    }

    /// The object name an output URL of the output CSV links to (the emulator's media download
    /// URL), or nil when it is not such a link into the processed bucket.
    func objectName(linkedBy url: String) -> String? {
        let marker = "/download/storage/v1/b/\(configuration.processedBucket)/o/"
        guard let range = url.range(of: marker) else { return nil }
        let encoded = url[range.upperBound...].split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        return encoded.removingPercentEncoding
    }

    /// Checks the output CSV against the input: same header plus the three added columns, the
    /// same rows in the same order with their input cells unchanged, output links of each
    /// row's own images for rows that succeeded, and an error for rows that did not.
    /// `failedRows` are the 1-based data rows that must carry an error.
    func checkOutputCSV(job: JobID, input: ProductCSV, failedRows: Set<Int>) async throws -> ParsedCSV {
        let output = try await outputCSV(job)
        #expect(output.header == ProductCSV.header + CSVOutputWriter.addedColumns)
        #expect(output.rows.count == input.rows.count, "output CSV has \(output.rows.count) rows for \(input.rows.count) input rows")
        for (offset, (row, given)) in zip(output.rows, input.rows).enumerated() {
            let number = offset + 1
            #expect(Array(row.prefix(3)) == given.fields, "row \(number): input cells changed: \(row.prefix(3))")
            let status = output.cell(row, "Status")
            let error = output.cell(row, "Error")
            #expect(!status.isEmpty, "row \(number) has no Status")
            let links = output.cell(row, "Output Image Urls").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for link in links {
                let name = objectName(linkedBy: link)
                #expect(name?.hasPrefix("\(job)/\(PipelineNames.slug(given.product))/\(number)-") == true, "row \(number) links \(link), not one of its own outputs")
            }
            if failedRows.contains(number) {
                #expect(!error.isEmpty, "row \(number) failed but its Error is empty (Status \(status))")
                #expect(status != "succeeded", "row \(number) failed but its Status is \(status)")
            } else {
                #expect(status == "succeeded", "row \(number): Status \(status)")
                #expect(error.isEmpty, "row \(number): unexpected Error '\(error)'")
                // Every output of every image of the row, and nothing else.
                let expected = Set((1...max(given.urls.count, 1)).flatMap { index in
                    expectedOutputs(job: job, product: given.product, row: number, index: index).map(\.name)
                })
                #expect(Set(links.compactMap(objectName(linkedBy:))) == expected, "row \(number) links \(links)")
            }
        }
        return output
    }

    /// Checks that exactly one webhook call arrived for `upload`, signed with the secret,
    /// keyed by the job, saying `status`; returns its JSON body.
    @discardableResult
    func checkSingleWebhook(for upload: UploadedCSV, status: String) throws -> [String: Any] {
        let calls = webhookCalls(for: upload)
        #expect(calls.count == 1, "\(calls.count) webhook calls for job \(upload.job)")
        let call = try #require(calls.first)
        #expect(call.method == "POST")
        let signature = call.headers[WebhookSignature.header.lowercased()] ?? ""
        #expect(WebhookSignature.isValid(signature, body: call.body, secret: Self.webhookSecret), "signature '\(signature)' does not verify")
        #expect(call.headers["idempotency-key"] == upload.job.rawValue, "Idempotency-Key \(call.headers["idempotency-key"] ?? "none")")
        let json = try #require(call.json, "webhook body is not a JSON object: \(String(decoding: call.body, as: UTF8.self))")
        #expect(json["status"] as? String == status, "webhook body: \(String(decoding: call.body, as: UTF8.self))")
        #expect(String(decoding: call.body, as: UTF8.self).contains(upload.job.rawValue), "webhook body does not name the job")
        return json
    }
}
