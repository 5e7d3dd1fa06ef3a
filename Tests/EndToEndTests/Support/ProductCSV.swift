import Foundation

/// An input CSV in the format users have (`S. No.,Product Name,Input Image Urls`, several URLs
/// comma-separated in one quoted cell), built row by row so tests know exactly what went in.
struct ProductCSV: Sendable {
    struct Row: Sendable {
        var number: String
        var product: String
        var urls: [String]

        /// The input fields as the output CSV must repeat them.
        var fields: [String] { [number, product, urls.joined(separator: ",")] }
    }

    static let header = ["S. No.", "Product Name", "Input Image Urls"]

    var rows: [Row] = []

    /// Adds a row numbered after the previous ones.
    mutating func add(_ product: String, _ urls: [String]) {
        rows.append(Row(number: String(rows.count + 1), product: product, urls: urls))
    }

    /// The file's text (CRLF line ends, RFC 4180 quoting).
    var text: String {
        ([Self.header] + rows.map(\.fields)).map { $0.map(Self.quoted).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
