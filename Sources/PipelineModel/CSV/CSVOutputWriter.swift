/// The output CSV of a job (ARCHITECTURE §6): the input columns as the user wrote them, then
/// `Output Image Urls`, `Status` and `Error`.
///
/// Formula-injection guard: every cell, header and input columns included, goes through
/// `CSVWriter.line`, which neutralizes values a spreadsheet would run as formulas (OWASP). The
/// input columns are the user's, but the file may come from anyone: a product called
/// `-20% sale` comes back as `'-20% sale`, which a spreadsheet shows as `-20% sale`.
public struct CSVOutputWriter: Sendable {
    /// The names of the columns appended to the input columns.
    public static let addedColumns = ["Output Image Urls", "Status", "Error"]

    /// The input file's header.
    public let header: CSVHeader

    /// A writer for rows under `header`.
    public init(header: CSVHeader) {
        self.header = header
    }

    /// The header record, CRLF-terminated.
    public var headerLine: String {
        CSVWriter.line(header.columns + Self.addedColumns)
    }

    /// One output record: the row's input fields (padded or cut to the header's width), the
    /// output URLs joined by `", "`, the status and the error text.
    public func line(inputFields: [String], outputURLs: [String], status: String, error: String) -> String {
        var fields = Array(inputFields.prefix(header.columns.count))
        fields.append(contentsOf: repeatElement("", count: header.columns.count - fields.count))
        fields.append(outputURLs.joined(separator: ", "))
        fields.append(status)
        fields.append(error)
        return CSVWriter.line(fields)
    }
}
