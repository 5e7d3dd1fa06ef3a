/// RFC 4180 output: fields joined by commas, records ended by CRLF, a field quoted when it holds
/// a comma, a quote, CR or LF (or starts or ends with a space, which some readers trim), with
/// its quotes doubled.
public enum CSVWriter {
    /// One field, quoted when RFC 4180 requires it.
    public static func encode(field: String) -> String {
        let needsQuotes = field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
            || field.first == " " || field.last == " "
        guard needsQuotes else { return field }
        var quoted = "\""
        for character in field {
            if character == "\"" { quoted.append("\"\"") } else { quoted.append(character) }
        }
        quoted.append("\"")
        return quoted
    }

    /// One record with its CRLF terminator.
    public static func line(_ fields: [String]) -> String {
        fields.map(encode(field:)).joined(separator: ",") + "\r\n"
    }

    /// Guards a value against CSV formula injection: a spreadsheet opening the file would run a
    /// cell starting with `=`, `+`, `-` or `@` (and, per OWASP, tab or CR) as a formula, so such
    /// a value gets a leading `'`, which spreadsheets show as text.
    public static func neutralizingFormula(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return value }
        return "'" + value
    }
}
