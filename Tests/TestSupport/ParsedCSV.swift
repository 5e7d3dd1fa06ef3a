import Foundation
import PipelineModel

/// A CSV read whole with Runtime's `CSVRecordReader` (the reader the pipeline itself uses), for
/// checking output CSVs: the header and the data rows, with cells by column name.
public struct ParsedCSV: Sendable {
    public let header: [String]
    public let rows: [[String]]

    public init(_ data: Data) throws {
        var reader = CSVRecordReader()
        var records = try reader.consume(data)
        records += try reader.finish()
        guard let first = records.first else { throw TestFailure("the CSV is empty") }
        header = first.fields
        rows = records.dropFirst().map(\.fields)
    }

    /// The cell of `column` in `row` (empty when the row is short or the column is absent).
    public func cell(_ row: [String], _ column: String) -> String {
        guard let index = header.firstIndex(of: column), index < row.count else { return "" }
        return row[index]
    }
}
