import PipelineModel

/// One streaming pass over an uploaded CSV: validates it, counts rows and items, and cuts it
/// into shards of at most `rowsPerShard` rows at row boundaries. Holds only the shard list,
/// never the rows, so memory stays flat however large the file is.
struct CSVScan {
    /// What the pass found.
    struct Result: Sendable, Equatable {
        var header: CSVHeader
        var rows: Int
        var invalidRows: Int
        var items: Int
        /// Byte ranges with their first row number and row count.
        var shards: [Shard]
    }

    /// A block of rows: `start..<end` bytes, `rows` rows from `firstRow`.
    struct Shard: Sendable, Equatable {
        var start: Int
        var end: Int
        var firstRow: Int
        var rows: Int
        var items: Int
        /// Failed items (invalid rows and URLs) in the shard; the rest are images.
        var failedItems: Int
    }

    private var reader: CSVRowReader
    private let rowsPerShard: Int
    private let itemsPerShard: Int
    private var rows = 0
    private var invalidRows = 0
    private var items = 0
    private var shards: [Shard] = []
    private var open: Shard?

    /// A shard closes at `rowsPerShard` rows or once it holds `itemsPerShard` items, so rows
    /// with many URLs do not make a shard that takes populate longer than its ack deadline.
    init(limits: CSVLimits, rowsPerShard: Int, itemsPerShard: Int) {
        reader = CSVRowReader(limits: limits)
        self.rowsPerShard = rowsPerShard
        self.itemsPerShard = itemsPerShard
    }

    /// Reads the next chunk of the file.
    mutating func consume(_ chunk: some Collection<UInt8>) throws(CSVStructuralError) {
        add(try reader.consume(chunk))
    }

    /// Ends the file; throws when it has no header or a structural problem at its end.
    mutating func finish() throws(CSVStructuralError) -> Result {
        add(try reader.finish())
        if let open { shards.append(open) }
        open = nil
        guard let header = reader.header else { throw .empty }
        return Result(header: header, rows: rows, invalidRows: invalidRows, items: items, shards: shards)
    }

    private mutating func add(_ batch: [CSVRow]) {
        for row in batch {
            rows += 1
            items += row.itemCount
            if row.isRejected { invalidRows += 1 }
            if var shard = open {
                shard.end = row.byteRange.upperBound
                shard.rows += 1
                shard.items += row.itemCount
                shard.failedItems += row.invalid.count
                open = shard
            } else {
                open = Shard(start: row.byteRange.lowerBound, end: row.byteRange.upperBound, firstRow: row.number, rows: 1, items: row.itemCount,
                             failedItems: row.invalid.count)
            }
            if let shard = open, shard.rows == rowsPerShard || shard.items >= itemsPerShard {
                shards.append(shard)
                open = nil
            }
        }
    }
}
