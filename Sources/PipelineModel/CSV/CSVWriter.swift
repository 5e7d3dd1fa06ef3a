/// RFC 4180 output for spreadsheets: fields joined by commas, records ended by CRLF, a field
/// quoted when it holds a comma, a quote, CR or LF (or starts or ends with a space, which some
/// readers trim), with its quotes doubled; and every cell guarded against formula injection.
public enum CSVWriter {
    /// One field, quoted when RFC 4180 requires it.
    public static func encode(field: String) -> String {
        let needsQuotes = field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
            || field.first == " " || field.last == " "
        return needsQuotes ? quoted(field) : field
    }

    /// One cell as a spreadsheet may safely open it: a value that would be read as a formula is
    /// neutralized and then always quoted (OWASP's advice: the quotes keep separators and the
    /// leading `'` inside the one cell, whatever the reader); any other value as `encode(field:)`.
    public static func encode(cell: String) -> String {
        let guarded = neutralizingFormula(cell)
        return guarded == cell ? encode(field: cell) : quoted(guarded)
    }

    /// One record of guarded cells (`encode(cell:)`) with its CRLF terminator. Every cell goes
    /// through the guard, the user's own columns included: the file comes from an upload, and a
    /// spreadsheet opening the output must not run `=HYPERLINK(…)` a stranger wrote.
    public static func line(_ fields: [String]) -> String {
        fields.map(encode(cell:)).joined(separator: ",") + "\r\n"
    }

    /// Guards a value against CSV formula injection: a spreadsheet opening the file would run a
    /// cell starting with `=`, `+`, `-` or `@` (and, per OWASP, tab or CR) as a formula, so such
    /// a value gets a leading `'`, which spreadsheets show as text.
    public static func neutralizingFormula(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return value }
        return "'" + value
    }

    /// `field` in double quotes, its own quotes doubled.
    private static func quoted(_ field: String) -> String {
        var quoted = "\""
        for character in field {
            if character == "\"" { quoted.append("\"\"") } else { quoted.append(character) }
        }
        quoted.append("\"")
        return quoted
    }
}
