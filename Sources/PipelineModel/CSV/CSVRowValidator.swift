import Foundation
import PixelPipeCore

/// Turns records into validated rows for one header (ARCHITECTURE §6). See `CSVRow` for the
/// row-validity rule.
///
/// The URL cell holds several URLs separated by commas and/or whitespace (spaces, tabs, line
/// breaks), as users paste them. A comma inside a URL therefore splits it; such URLs must be
/// percent-encoded (`%2C`) in the file.
///
/// Only syntax is checked here: an absolute `http` or `https` URL with a host, or a
/// `gs://BUCKET/NAME` object (the jobs API stores uploaded images so; the process stage reads
/// them from the uploads bucket only, and fails any other bucket's). Where an http(s) URL points
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
            let url = token
            if let reason = Self.problem(withURL: url) {
                invalid.append(.init(index: offset + 1, reason: reason))
            } else {
                urls.append(.init(index: offset + 1, url: url))
            }
        }
        return CSVRow(number: record.number, byteRange: record.byteRange, fields: fields, product: product, urls: urls, invalid: invalid)
    }

    /// The URLs of a cell: split at commas and whitespace, empty pieces dropped.
    static func splitURLs(_ cell: String) -> [String] {
        // Unicode property lookups cost more than the rest of validation together, so a cell of
        // plain ASCII (the usual case) is split on bytes; others on scalars.
        if cell.utf8.allSatisfy({ $0 < 0x80 }) {
            return cell.utf8.split(whereSeparator: { byte in
                byte == UInt8(ascii: ",") || byte == UInt8(ascii: " ") || (byte >= 0x09 && byte <= 0x0D)
            }).map { String(Substring($0)) }
        }
        return cell.unicodeScalars.split(whereSeparator: { $0 == "," || $0.properties.isWhitespace }).map { String($0) }
    }

    /// Why `url` cannot be downloaded, or nil when it is an absolute http(s) URL with a host.
    static func problem(withURL url: String) -> String? {
        if isPlainHTTPURL(url) || isStorageObjectURI(url) { return nil }
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
        if let port = components.port, !(0...65535).contains(port) {
            return "port out of range in URL: \(shown)"
        }
        return nil
    }

    /// `gs://BUCKET/NAME`: a bucket name of lower-case letters, digits, `-`, `_` and `.`, and a
    /// non-empty object name.
    static func isStorageObjectURI(_ url: String) -> Bool {
        guard url.hasPrefix("gs://") else { return false }
        let rest = url.dropFirst(5)
        guard let slash = rest.firstIndex(of: "/") else { return false }
        let bucket = rest[..<slash], name = rest[rest.index(after: slash)...]
        return !bucket.isEmpty && !name.isEmpty
            && bucket.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }
    }

    /// A fast path for the common case, about fifty times cheaper than `URLComponents`: an
    /// `http(s)://` URL of plain ASCII whose host is letters, digits, dots and hyphens, with an
    /// optional numeric port, and whose rest holds only characters RFC 3986 allows (valid
    /// percent-escapes included). Anything else (userinfo, IPv6 literals, `_` in hosts,
    /// non-ASCII) is decided by `URLComponents`, as the downloader decides it.
    static func isPlainHTTPURL(_ url: String) -> Bool {
        var url = url
        return url.withUTF8 { bytes in
            let count = bytes.count
            var index: Int
            func lower(_ byte: UInt8) -> UInt8 { byte | 0x20 }
            guard count > 8, lower(bytes[0]) == UInt8(ascii: "h"), lower(bytes[1]) == UInt8(ascii: "t"),
                  lower(bytes[2]) == UInt8(ascii: "t"), lower(bytes[3]) == UInt8(ascii: "p") else { return false }
            if bytes[4] == UInt8(ascii: ":") {
                index = 5
            } else if lower(bytes[4]) == UInt8(ascii: "s") && bytes[5] == UInt8(ascii: ":") {
                index = 6
            } else {
                return false
            }
            guard index + 2 < count, bytes[index] == UInt8(ascii: "/"), bytes[index + 1] == UInt8(ascii: "/") else { return false }
            index += 2
            // Host, then an optional port.
            let hostStart = index
            while index < count, isHostByte(bytes[index]) { index += 1 }
            guard index > hostStart else { return false }
            if index < count, bytes[index] == UInt8(ascii: ":") {
                index += 1
                let portStart = index
                while index < count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
                guard index > portStart, index - portStart <= 5 else { return false }
            }
            guard index == count || bytes[index] == UInt8(ascii: "/") || bytes[index] == UInt8(ascii: "?") || bytes[index] == UInt8(ascii: "#") else {
                return false
            }
            var sawFragment = false
            while index < count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "%") {
                    guard index + 2 < count, isHexDigit(bytes[index + 1]), isHexDigit(bytes[index + 2]) else { return false }
                    index += 3
                    continue
                }
                if byte == UInt8(ascii: "#") {
                    if sawFragment { return false }
                    sawFragment = true
                } else if !isPathByte(byte) {
                    return false
                }
                index += 1
            }
            return true
        }
    }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }

    /// Unreserved, sub-delimiters, `:`, `@`, `/` and `?` (RFC 3986 `pchar`, query and path).
    private static func isPathByte(_ byte: UInt8) -> Bool {
        if isHostByte(byte) { return true }
        switch byte {
        case UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
             UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "/"), UInt8(ascii: "?"):
            return true
        default:
            return false
        }
    }
}
