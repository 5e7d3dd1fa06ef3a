import Foundation

/// An input CSV in the format users have (`S. No.,Product Name,Input Image Urls`, several URLs
/// comma-separated in one quoted cell), built row by row so tests know exactly what went in.
public struct ProductCSV: Sendable {
    public struct Row: Sendable {
        public var number: String
        public var product: String
        public var urls: [String]

        /// The input fields as the output CSV must repeat them.
        public var fields: [String] { [number, product, urls.joined(separator: ",")] }
    }

    public static let header = ["S. No.", "Product Name", "Input Image Urls"]

    public var rows: [Row] = []

    public init() {}

    /// Adds a row numbered after the previous ones.
    public mutating func add(_ product: String, _ urls: [String]) {
        rows.append(Row(number: String(rows.count + 1), product: product, urls: urls))
    }

    /// The file's text (CRLF line ends, RFC 4180 quoting).
    public var text: String {
        ([Self.header] + rows.map(\.fields)).map { $0.map(Self.quoted).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
