import PipelineModel
import Testing

/// What ingest and populate do with the offsets: cut the file at row boundaries, then read each
/// piece on its own as an HTTP Range response would deliver it.
@Suite("CSV sharding by byte range")
struct CSVShardingTests {
    /// A generated file of `count` rows mixing quoting, blank lines and both terminators.
    static func generatedFile(rows count: Int) -> [UInt8] {
        var text = "\u{FEFF}S. No.,Product Name,Input Image Urls,Notes\r\n"
        for row in 1...count {
            let terminator = row % 3 == 0 ? "\n" : "\r\n"
            let notes = row % 5 == 0 ? "\"multi\nline, \"\"quoted\"\"\"" : "n\(row)"
            text += "\(row),\"Product \(row), v2\",\"https://x.example/\(row)/a.jpg, https://x.example/\(row)/b.jpg\",\(notes)\(terminator)"
            if row % 7 == 0 { text += "\r\n" }
        }
        return Array(text.utf8)
    }

    @Test("a large file read in 1 MiB-like chunks numbers every row and covers every byte")
    func largeFile() throws {
        let bytes = Self.generatedFile(rows: 20_000)
        let (_, rows) = try csvRows(bytes, chunkSize: 4096)
        #expect(rows.count == 20_000)
        #expect(rows.map(\.number) == Array(1...20_000))
        #expect(rows.allSatisfy { $0.urls.count == 2 && $0.invalid.isEmpty })
        #expect(rows.last?.byteRange.upperBound == bytes.count)
        for (previous, next) in zip(rows, rows.dropFirst()) {
            let gap = bytes[previous.byteRange.upperBound..<next.byteRange.lowerBound]
            #expect(gap.allSatisfy { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") })
        }
    }

    @Test("shards cut at row starts, each read alone with its first row number, give the full read", arguments: [1, 2, 5, 17])
    func shards(count: Int) throws {
        let bytes = Self.generatedFile(rows: 300)
        let (header, rows) = try csvRows(bytes)
        let known = try #require(header)
        let perShard = (rows.count + count - 1) / count
        var again: [CSVRow] = []
        for start in stride(from: 0, to: rows.count, by: perShard) {
            let first = rows[start]
            let end = start + perShard < rows.count ? rows[start + perShard].byteRange.lowerBound : bytes.count
            var reader = CSVRowReader(header: known, startOffset: first.byteRange.lowerBound, firstRowNumber: first.number)
            again += try reader.consume(bytes[first.byteRange.lowerBound..<end])
            again += try reader.finish()
        }
        #expect(again == rows)
    }
}
