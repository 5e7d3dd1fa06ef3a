import Foundation

/// Turns records into validated rows for one header (ARCHITECTURE §6). See `CSVRow` for the
/// row-validity rule.
///
/// The URL cell holds several URLs separated by commas and/or whitespace (spaces, tabs, line
/// breaks), as users paste them. A comma inside a URL therefore splits it; such URLs must be
/// percent-encoded (`%2C`) in the file.
///
/// Only syntax is checked here: an absolute `http` or `https` URL with a host. Where it points
/// (`http://169.254.169.254/`, loopback, private networks) is the downloader's address policy,
/// checked at connect time (ARCHITECTURE §8), so such URLs pass this layer.
public struct CSVRowValidator: Sendable {
    /// The header the records belong to.
    public let header: CSVHeader
    /// The per-row limits applied.
    public let limits: CSVLimits

    /// A validator for rows under `header`.
    public init(header: CSVHeader, limits: CSVLimits = CSVLimits()) {
        self.header = header
        self.limits = limits
    }

    /// Validates one data record.
    public func validate(_ record: CSVRecord) -> CSVRow {
        var fields = record.fields
        let width = header.columns.count
        var rowProblem = record.problem
        if fields.count > width {
            if fields[width...].contains(where: { !$0.isEmpty }) {
                rowProblem = rowProblem ?? "\(fields.count) fields, but the header has \(width) columns"
            }
            fields.removeLast(fields.count - width)
        } else if fields.count < width {
            fields.append(contentsOf: repeatElement("", count: width - fields.count))
        }
        let product = String(fields[header.productColumn].trimmingWhitespace)
        if rowProblem == nil && product.isEmpty { rowProblem = "the product name is empty" }

        let tokens = Self.splitURLs(fields[header.urlColumn])
        if rowProblem == nil && tokens.isEmpty { rowProblem = "no image URLs" }
        if rowProblem == nil && tokens.count > limits.maxURLsPerRow {
            rowProblem = "\(tokens.count) image URLs, more than the limit of \(limits.maxURLsPerRow)"
        }
        if let rowProblem {
            return CSVRow(number: record.number, byteRange: record.byteRange, fields: fields, product: product,
                          urls: [], invalid: [.init(index: nil, reason: rowProblem)])
        }
        var urls: [CSVRow.ImageURL] = []
        var invalid: [CSVRow.Problem] = []
        for (offset, token) in tokens.enumerated() {
            let url = String(token)
            if let reason = Self.problem(withURL: url) {
                invalid.append(.init(index: offset + 1, reason: reason))
            } else {
                urls.append(.init(index: offset + 1, url: url))
            }
        }
        return CSVRow(number: record.number, byteRange: record.byteRange, fields: fields, product: product, urls: urls, invalid: invalid)
    }

    /// The URLs of a cell: split at commas and whitespace, empty pieces dropped.
    static func splitURLs(_ cell: String) -> [Substring] {
        cell.split(whereSeparator: { $0 == "," || $0.isWhitespace })
    }

    /// Why `url` cannot be downloaded, or nil when it is an absolute http(s) URL with a host.
    static func problem(withURL url: String) -> String? {
        let shown = url.count > 200 ? "\(url.prefix(200))…" : url
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") || !url[..<colon].contains("/") else {
            return "not an absolute URL: \(shown)"
        }
        let scheme = url[..<colon].lowercased()
        guard scheme == "http" || scheme == "https" else {
            if scheme.isEmpty || scheme.contains(where: { !($0.isLetter || $0.isNumber || "+-.".contains($0)) }) {
                return "not an absolute URL: \(shown)"
            }
            return "scheme \"\(scheme)\" is not allowed (only http and https): \(shown)"
        }
        guard let components = URLComponents(string: url) else {
            return "malformed URL: \(shown)"
        }
        guard let host = components.host, !host.isEmpty else {
            return "no host in URL: \(shown)"
        }
        return nil
    }
}
