/// One record of a CSV file as the streaming reader found it, before any meaning is given to
/// its columns.
public struct CSVRecord: Sendable, Equatable {
    /// Position among the file's records: 0 is the header when reading from the file's start,
    /// data rows count from 1. Blank lines are not records and take no number.
    public let number: Int
    /// Bytes of the file the record occupies: from its first byte to just after its line
    /// terminator (or the end of the file). Cutting the file at these offsets splits it at
    /// record boundaries, and each piece parses on its own.
    public let byteRange: Range<Int>
    /// The fields, unquoted and decoded as UTF-8. An over-long field is kept empty (see `problem`).
    public let fields: [String]
    /// A limit the record broke (a field too long, too many fields), which makes its row invalid.
    public let problem: String?

    /// A record as the reader emits it; public so tests and tools can build expected values.
    public init(number: Int, byteRange: Range<Int>, fields: [String], problem: String? = nil) {
        self.number = number
        self.byteRange = byteRange
        self.fields = fields
        self.problem = problem
    }
}
