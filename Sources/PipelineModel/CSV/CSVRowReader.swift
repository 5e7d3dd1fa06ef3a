/// Reads a user's CSV as validated rows, chunk by chunk: the first record is recognised as the
/// header, every later one validated. Ingest starts one at the file's start; populate starts
/// one at a shard's byte offset with the header it already knows.
public struct CSVRowReader: Sendable {
    private var records: CSVRecordReader
    private var validator: CSVRowValidator?
    private let limits: CSVLimits

    /// A reader from the start of the file, which expects a header first.
    public init(limits: CSVLimits = CSVLimits()) {
        self.records = CSVRecordReader(startOffset: 0, firstRowNumber: 0, limits: limits)
        self.limits = limits
    }

    /// A reader of a byte range that starts at a record boundary (a row's `byteRange.lowerBound`),
    /// whose first row is `firstRowNumber`.
    public init(header: CSVHeader, startOffset: Int, firstRowNumber: Int, limits: CSVLimits = CSVLimits()) {
        self.records = CSVRecordReader(startOffset: startOffset, firstRowNumber: firstRowNumber, limits: limits)
        self.validator = CSVRowValidator(header: header, limits: limits)
        self.limits = limits
    }

    /// The header, once read (or as given for a byte range).
    public var header: CSVHeader? { validator?.header }

    /// Bytes consumed so far, as an absolute offset in the file.
    public var position: Int { records.position }

    /// Reads a chunk and returns the rows it completed.
    public mutating func consume(_ chunk: some Collection<UInt8>) throws(CSVStructuralError) -> [CSVRow] {
        try rows(from: records.consume(chunk))
    }

    /// Ends the input and returns the last row; throws `.empty` when there was no header.
    public mutating func finish() throws(CSVStructuralError) -> [CSVRow] {
        let rows = try rows(from: records.finish())
        if validator == nil {
            throw .empty("the file is empty: expected a header row such as \"S. No.,Product Name,Input Image Urls\"")
        }
        return rows
    }

    private mutating func rows(from records: [CSVRecord]) throws(CSVStructuralError) -> [CSVRow] {
        var rows: [CSVRow] = []
        rows.reserveCapacity(records.count)
        for record in records {
            if let validator {
                rows.append(validator.validate(record))
            } else {
                validator = CSVRowValidator(header: try CSVHeader(columns: record.fields), limits: limits)
            }
        }
        return rows
    }
}
