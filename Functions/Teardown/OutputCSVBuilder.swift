import Foundation
import GoogleCloud
import PipelineModel

/// Writes a job's output CSV without holding it: the source CSV is streamed by ranged reads at
/// the job's generation and re-parsed with the reader ingest used, so row numbers match the
/// items'; the items are paged in row order alongside it (`ItemCursor`); each data row is
/// repeated with `Output Image Urls`, `Status` and `Error` added, in input order, and the lines
/// go out through one resumable upload as they are made (`StorageUploadStream`). Memory stays
/// at a source chunk, a page of items and an upload chunk, however large the job.
struct OutputCSVBuilder: Sendable {
    let storage: StorageClient
    let limits: CSVLimits
    /// Where the output goes: the processed bucket and the object name.
    let bucket: String
    let name: String
    /// Upload chunk size (a multiple of 256 KiB).
    var chunkSize = 8 << 20

    /// What was written and how the rows came out.
    struct Result: Sendable {
        var rows: Int
        var bytes: Int
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
            return try await fromItems(items())
        }
        do {
            return try await fromSource(job: job, generation: generation, size: size, items: items())
        } catch is SourceGone {
            // Replaced or deleted while being read: start over from the items alone (the
            // abandoned upload session is never completed, so nothing half-written appears).
            return try await fromItems(items())
        }
    }

    private func fromSource(job: JobRecord, generation: Int64, size: Int, items: ItemPages) async throws -> Result {
        let source = job.source
        var reader = CSVRowReader(limits: limits)
        var writer: CSVOutputWriter?
        var cursor = ItemCursor(items)
        var upload = try await storage.uploadStream(bucket: bucket, name: name, options: .init(contentType: "text/csv"))
        var rows = 0
        func lines(_ batch: [CSVRow]) async throws -> String {
            guard let header = reader.header else { return "" }
            var text = ""
            if writer == nil {
                writer = CSVOutputWriter(header: header)
                text += writer!.headerLine
            }
            for row in batch {
                text += Self.line(writer!, row: row, items: try await cursor.items(ofRow: row.number))
                rows += 1
            }
            return text
        }
        do {
            for try await chunk in storage.chunks(bucket: source.bucket, name: source.name, generation: generation, size: size) {
                let batch = try reader.consume(chunk)
                let text = try await lines(batch)
                try await upload.write(text.utf8)
            }
            let batch = try reader.finish()
            let text = try await lines(batch)
            try await upload.write(text.utf8)
        } catch let error as CSVStructuralError {
            throw TeardownError.sourceUnreadable(job: job.id, object: source.uri, reason: error.description)
        } catch let error as GoogleAPIError where (error.isNotFound || error.isPreconditionFailed) && error.resource.hasPrefix("gs://\(source.bucket)/") {
            throw SourceGone()
        }
        try await cursor.drain()
        let bytes = upload.count
        _ = try await upload.finish()
        return Result(rows: rows, bytes: bytes, fromSource: true, tally: cursor.tally)
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
    private func fromItems(_ items: ItemPages) async throws -> Result {
        // The standard header always parses.
        let header = try! CSVHeader(columns: ["S. No.", "Product Name", "Input Image Urls"])
        let writer = CSVOutputWriter(header: header)
        var cursor = ItemCursor(items)
        var upload = try await storage.uploadStream(bucket: bucket, name: name, options: .init(contentType: "text/csv"))
        try await upload.write(writer.headerLine.utf8)
        var rows = 0
        while let rowItems = try await cursor.nextRow() {
            let number = rowItems[0].row
            let urls = rowItems.compactMap { item in item.url.map { CSVRow.ImageURL(index: item.index, url: $0) } }
            let invalid = rowItems.filter { $0.url == nil }.map { CSVRow.Problem(index: $0.index == 0 ? nil : $0.index, reason: $0.error ?? "") }
            let row = CSVRow(number: number, byteRange: 0..<0, fields: [String(number), rowItems[0].product, urls.map(\.url).joined(separator: ",")],
                             product: rowItems[0].product, urls: urls, invalid: invalid)
            let byIndex = Dictionary(rowItems.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
            try await upload.write(Self.line(writer, row: row, items: byIndex).utf8)
            rows += 1
        }
        let bytes = upload.count
        _ = try await upload.finish()
        return Result(rows: rows, bytes: bytes, fromSource: false, tally: cursor.tally)
    }

    private static func line(_ writer: CSVOutputWriter, row: CSVRow, items: [Int: ItemRecord]) -> String {
        let outcome = RowOutcome(row: row, items: items)
        return writer.line(inputFields: row.fields, outputURLs: outcome.outputURLs, status: outcome.status, error: outcome.error)
    }
}
