import Foundation
import GoogleCloud
import PipelineModel

/// Writes a job's output CSV: the source CSV is streamed by ranged reads at the job's
/// generation and re-parsed with the reader ingest used, so row numbers match the items'; each
/// data row is repeated with `Output Image Urls`, `Status` and `Error` added, in input order.
/// The output is assembled in memory before one upload (StorageClient uploads `Data`); it is
/// the input plus a few URLs per row, so bounded by `CSV_MAX_FILE_BYTES` and the job's outputs.
struct OutputCSVBuilder: Sendable {
    let storage: StorageClient
    let limits: CSVLimits

    /// What was written and how the rows came out.
    struct Result: Sendable {
        var data: Data
        var rows: Int
        /// False when the source CSV was gone and the rows were rebuilt from the items.
        var fromSource: Bool
    }

    /// The output CSV of `job` given its recorded items keyed by `ROW-INDEX`. When the source
    /// CSV no longer exists at the job's generation (deleted, or overwritten in a bucket without
    /// versioning), the job is still finalized: the rows are rebuilt from the items.
    func build(job: JobRecord, items: [String: ItemRecord]) async throws -> Result {
        let source = job.source
        let object = "gs://\(source.bucket)/\(source.name)#\(source.generation)"
        guard let generation = Int64(source.generation), let size = try await sourceSize(source, generation: generation) else {
            return Self.fromItems(items)
        }
        var reader = CSVRowReader(limits: limits)
        var writer: CSVOutputWriter?
        var result = Result(data: Data(), rows: 0, fromSource: true)
        func append(_ rows: [CSVRow]) {
            guard let header = reader.header else { return }
            let current = writer ?? CSVOutputWriter(header: header)
            if writer == nil {
                writer = current
                result.data.append(contentsOf: current.headerLine.utf8)
            }
            for row in rows {
                result.data.append(contentsOf: Self.line(current, row: row, items: items).utf8)
                result.rows += 1
            }
        }
        do {
            for try await chunk in storage.chunks(bucket: source.bucket, name: source.name, generation: generation, size: size) {
                append(try reader.consume(chunk))
            }
            append(try reader.finish())
        } catch let error as CSVStructuralError {
            throw TeardownError.sourceUnreadable(job: job.id, object: object, reason: error.description)
        } catch let error as GoogleAPIError where error.isNotFound || error.isPreconditionFailed {
            // Replaced or deleted while being read.
            return Self.fromItems(items)
        }
        return result
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
    static func fromItems(_ items: [String: ItemRecord]) -> Result {
        // The standard header always parses.
        let header = try! CSVHeader(columns: ["S. No.", "Product Name", "Input Image Urls"])
        let writer = CSVOutputWriter(header: header)
        var data = Data(writer.headerLine.utf8)
        let rows = Dictionary(grouping: items.values, by: \.row).sorted { $0.key < $1.key }
        for (number, rowItems) in rows {
            let sorted = rowItems.sorted { $0.index < $1.index }
            let urls = sorted.compactMap { item in item.url.map { CSVRow.ImageURL(index: item.index, url: $0) } }
            let invalid = sorted.filter { $0.url == nil }.map { CSVRow.Problem(index: $0.index == 0 ? nil : $0.index, reason: $0.error ?? "") }
            let row = CSVRow(number: number, byteRange: 0..<0, fields: [String(number), sorted[0].product, urls.map(\.url).joined(separator: ",")],
                             product: sorted[0].product, urls: urls, invalid: invalid)
            data.append(contentsOf: line(writer, row: row, items: items).utf8)
        }
        return Result(data: data, rows: rows.count, fromSource: false)
    }

    private static func line(_ writer: CSVOutputWriter, row: CSVRow, items: [String: ItemRecord]) -> String {
        let outcome = RowOutcome(row: row, items: items)
        return writer.line(inputFields: row.fields, outputURLs: outcome.outputURLs, status: outcome.status, error: outcome.error)
    }
}
