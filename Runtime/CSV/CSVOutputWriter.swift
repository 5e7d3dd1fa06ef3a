/// The output CSV of a job (ARCHITECTURE §6): the input columns as the user wrote them, then
/// `Output Image Urls`, `Status` and `Error`.
///
/// Formula-injection guard: the three columns the pipeline adds are passed through
/// `CSVWriter.neutralizingFormula`, since their text (error reasons quoting URLs) can come from
/// the file. The input columns are repeated unchanged, so the user gets back exactly what they
/// wrote (a product called `-20% sale` stays so) — the guard does not alter the user's data.
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
        fields.append(CSVWriter.neutralizingFormula(outputURLs.joined(separator: ", ")))
        fields.append(CSVWriter.neutralizingFormula(status))
        fields.append(CSVWriter.neutralizingFormula(error))
        return CSVWriter.line(fields)
    }
}
