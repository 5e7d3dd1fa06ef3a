import Foundation
import Runtime

/// Writes a job's output CSV: the source CSV is streamed by ranged reads at the job's
/// generation and re-parsed with the reader ingest used, so row numbers match the items'; each
/// data row is repeated with `Output Image Urls`, `Status` and `Error` added, in input order.
/// The output is assembled in memory before one upload (StorageClient uploads `Data`); it is
/// the input plus a few URLs per row, bounded by `CSV_MAX_BYTES`-sized inputs.
struct OutputCSVBuilder: Sendable {
    let storage: StorageClient
    let limits: CSVLimits

    /// What was written and how the rows came out.
    struct Result: Sendable {
        var data: Data
        var rows: Int
    }

    /// The output CSV of `job` given its recorded items keyed by `ROW-INDEX`.
    func build(job: JobRecord, items: [String: ItemRecord]) async throws -> Result {
        let source = job.source
        let object = "gs://\(source.bucket)/\(source.name)#\(source.generation)"
        let size: Int
        let generation = Int64(source.generation)
        do {
            let metadata = try await storage.metadata(bucket: source.bucket, name: source.name)
            guard let generation, metadata.generationNumber == generation, let bytes = metadata.byteCount else {
                throw TeardownError.sourceUnavailable(job: job.id, object: object)
            }
            size = Int(bytes)
        } catch let error as GoogleAPIError where error.isNotFound {
            throw TeardownError.sourceUnavailable(job: job.id, object: object)
        }

        var reader = CSVRowReader(limits: limits)
        var output = Data()
        var result = Result(data: Data(), rows: 0)
        func append(_ rows: [CSVRow], header: CSVHeader?) {
            guard let header else { return }
            let writer = CSVOutputWriter(header: header)
            if output.isEmpty { output.append(contentsOf: writer.headerLine.utf8) }
            for row in rows {
                let outcome = RowOutcome(row: row, items: items)
                output.append(contentsOf: writer.line(inputFields: row.fields, outputURLs: outcome.outputURLs, status: outcome.status, error: outcome.error).utf8)
                result.rows += 1
            }
        }
        do {
            for try await chunk in storage.chunks(bucket: source.bucket, name: source.name, generation: generation ?? 0, size: size) {
                append(try reader.consume(chunk), header: reader.header)
            }
            append(try reader.finish(), header: reader.header)
        } catch let error as CSVStructuralError {
            throw TeardownError.sourceUnreadable(job: job.id, object: object, reason: error.description)
        } catch let error as GoogleAPIError where error.isNotFound {
            throw TeardownError.sourceUnavailable(job: job.id, object: object)
        }
        result.data = output
        return result
    }
}
