import Foundation
import GoogleCloud
import PipelineModel

/// Writes a job's output CSV without holding it: the source CSV is streamed by ranged reads at
/// the job's generation and re-parsed with the reader ingest used, so row numbers match the
/// items'; the items are paged in row order alongside it (`ItemCursor`); each data row is
/// repeated with `Output Image Urls`, `Status` and `Error` added, in input order, and the lines
/// go out through one resumable upload as they are made (`StorageUploadStream`). In the same
/// pass every item of the row goes to `results.ndjson` as a `ResultLine` through a second
/// upload, recorded or not. Memory stays at a source chunk, a page of items and two upload
/// chunks, however large the job.
struct OutputCSVBuilder: Sendable {
    let storage: StorageClient
    let limits: CSVLimits
    /// Where the output goes: the processed bucket and the object name.
    let bucket: String
    let name: String
    /// The results object (`JOB/results.ndjson`) in the same bucket.
    let resultsName: String
    /// How images without an item are reported: `.missing`, or `.cancelled` for a cancelled job.
    var unrecorded: ResultLine.Status = .missing
    /// Upload chunk size (a multiple of 256 KiB).
    var chunkSize = 8 << 20

    /// What was written and how the rows came out.
    struct Result: Sendable {
        var rows: Int
        var bytes: Int
        /// Lines and bytes of `results.ndjson`.
        var resultLines: Int
        var resultBytes: Int
        /// False when the source CSV was gone and the rows were rebuilt from the items.
        var fromSource: Bool
        /// Every item of the job, counted as it was read.
        var tally: ItemTally
    }

    /// The source went away while it was being read.
    private struct SourceGone: Error {}

    /// Writes the output CSV of `job` from its items. When the source CSV no longer exists at
    /// the job's generation (deleted, or overwritten in a bucket without versioning), the job
    /// is still finalized: the rows are rebuilt from the items.
    func write(job: JobRecord, items: @Sendable () -> ItemPages) async throws -> Result {
        let source = job.source
        guard let generation = Int64(source.generation), let size = try await sourceSize(source, generation: generation) else {
            return try await fromItems(job.id, items())
        }
        do {
            return try await fromSource(job: job, generation: generation, size: size, items: items())
        } catch is SourceGone {
            // Replaced or deleted while being read: start over from the items alone (the
            // abandoned upload session is never completed, so nothing half-written appears).
            return try await fromItems(job.id, items())
        }
    }

    private func fromSource(job: JobRecord, generation: Int64, size: Int, items: ItemPages) async throws -> Result {
        let source = job.source
        var reader = CSVRowReader(limits: limits)
        var writer: CSVOutputWriter?
        var cursor = ItemCursor(items)
        var upload = try await storage.uploadStream(bucket: bucket, name: name, options: .init(contentType: "text/csv"))
        var results = try await storage.uploadStream(bucket: bucket, name: resultsName, options: .init(contentType: "application/x-ndjson"))
        var rows = 0
        var resultLines = 0
        func lines(_ batch: [CSVRow]) async throws -> (csv: String, ndjson: Data) {
            guard let header = reader.header else { return ("", Data()) }
            var text = ""
            var ndjson = Data()
            if writer == nil {
                writer = CSVOutputWriter(header: header)
                text += writer!.headerLine
            }
            for row in batch {
                let items = try await cursor.items(ofRow: row.number)
                text += Self.line(writer!, row: row, items: items, unrecorded: unrecorded)
                for line in Self.resultLines(job: job.id, row: row, items: items, unrecorded: unrecorded) {
                    ndjson.append(try line.encodedLine())
                    resultLines += 1
                }
                rows += 1
            }
            return (text, ndjson)
        }
        do {
            for try await chunk in storage.chunks(bucket: source.bucket, name: source.name, generation: generation, size: size) {
                let batch = try reader.consume(chunk)
                let (text, ndjson) = try await lines(batch)
                try await upload.write(text.utf8)
                try await results.write(ndjson)
            }
            let batch = try reader.finish()
            let (text, ndjson) = try await lines(batch)
            try await upload.write(text.utf8)
            try await results.write(ndjson)
        } catch let error as CSVStructuralError {
            throw TeardownError.sourceUnreadable(job: job.id, object: source.uri, reason: error.description)
        } catch let error as GoogleAPIError where (error.isNotFound || error.isPreconditionFailed) && error.resource.hasPrefix("gs://\(source.bucket)/") {
            throw SourceGone()
        }
        try await cursor.drain()
        let bytes = upload.count, resultBytes = results.count
        _ = try await upload.finish()
        _ = try await results.finish()
        return Result(rows: rows, bytes: bytes, resultLines: resultLines, resultBytes: resultBytes, fromSource: true, tally: cursor.tally)
    }

    /// The source's size, or nil when that generation of it no longer exists.
    private func sourceSize(_ source: JobRecord.Source, generation: Int64) async throws -> Int? {
        do {
            // Pinned to the job's generation: in a versioned bucket a newer upload leaves it readable.
            let metadata = try await storage.metadata(bucket: source.bucket, name: source.name, generation: generation)
            guard metadata.generationNumber == generation, let bytes = metadata.byteCount else { return nil }
            return Int(bytes)
        } catch let error as GoogleAPIError where error.isNotFound {
            return nil
        }
    }

    /// Rows rebuilt from the items alone, under the standard header
    /// `S. No.,Product Name,Input Image Urls`: one row per row number that has items, the URLs
    /// of its recorded items. Rows of which nothing was recorded cannot be shown.
    private func fromItems(_ job: JobID, _ items: ItemPages) async throws -> Result {
        // The standard header always parses.
        let header = try! CSVHeader(columns: ["S. No.", "Product Name", "Input Image Urls"])
        let writer = CSVOutputWriter(header: header)
        var cursor = ItemCursor(items)
        var upload = try await storage.uploadStream(bucket: bucket, name: name, options: .init(contentType: "text/csv"))
        try await upload.write(writer.headerLine.utf8)
        var results = try await storage.uploadStream(bucket: bucket, name: resultsName, options: .init(contentType: "application/x-ndjson"))
        var rows = 0
        var resultLines = 0
        while let rowItems = try await cursor.nextRow() {
            let number = rowItems[0].row
            let urls = rowItems.compactMap { item in item.url.map { CSVRow.ImageURL(index: item.index, url: $0) } }
            let invalid = rowItems.filter { $0.url == nil }.map { CSVRow.Problem(index: $0.index == 0 ? nil : $0.index, reason: $0.error ?? "") }
            let row = CSVRow(number: number, byteRange: 0..<0, fields: [String(number), rowItems[0].product, urls.map(\.url).joined(separator: ",")],
                             product: rowItems[0].product, urls: urls, invalid: invalid)
            let byIndex = Dictionary(rowItems.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
            try await upload.write(Self.line(writer, row: row, items: byIndex, unrecorded: unrecorded).utf8)
            var ndjson = Data()
            for item in rowItems {
                ndjson.append(try ResultLine(job: job, item: item).encodedLine())
                resultLines += 1
            }
            try await results.write(ndjson)
            rows += 1
        }
        let bytes = upload.count, resultBytes = results.count
        _ = try await upload.finish()
        _ = try await results.finish()
        return Result(rows: rows, bytes: bytes, resultLines: resultLines, resultBytes: resultBytes, fromSource: false, tally: cursor.tally)
    }

    private static func line(_ writer: CSVOutputWriter, row: CSVRow, items: [Int: ItemRecord], unrecorded: ResultLine.Status) -> String {
        let outcome = RowOutcome(row: row, items: items, unrecorded: unrecorded)
        return writer.line(inputFields: row.fields, outputURLs: outcome.outputURLs, status: outcome.status, error: outcome.error)
    }

    /// The `results.ndjson` lines of `row`: one per item the row promised (`itemIndexes`), in
    /// image order, from its item when recorded, else as `unrecorded`.
    static func resultLines(job: JobID, row: CSVRow, items: [Int: ItemRecord], unrecorded: ResultLine.Status) -> [ResultLine] {
        row.itemIndexes.map { index in
            if let item = items[index] { return ResultLine(job: job, item: item) }
            return ResultLine(
                job: job, row: row.number, index: index, product: row.product, url: row.urls.first { $0.index == index }?.url,
                status: unrecorded, reason: RowOutcome.unrecordedReason(row: row.number, index: index, unrecorded)
            )
        }
    }
}
