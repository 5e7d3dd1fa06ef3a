import Foundation
import GoogleCloud

/// The two parts of a `multipart/related` upload (JSON metadata, then media). Hand-parsed:
/// the format is a boundary split, and no dependency here parses it.
struct MultipartRelated: Sendable {
    var metadata: Data
    var media: Data
    var mediaContentType: String?

    /// Parses `body` with the boundary from `contentType`; 400 when it is not two parts.
    init(contentType: String, body: Data) throws {
        guard let boundary = Self.boundary(in: contentType) else {
            throw GoogleAPIError.invalidArgument("Multipart upload needs Content-Type multipart/related with a boundary (got \"\(contentType)\").")
        }
        let parts = Self.parts(of: body, boundary: boundary)
        guard parts.count == 2 else {
            throw GoogleAPIError.invalidArgument("Multipart upload must have exactly two parts, metadata then media (found \(parts.count)).")
        }
        let (_, metadata) = try Self.split(parts[0])
        let (headers, media) = try Self.split(parts[1])
        self.metadata = metadata
        self.media = media
        self.mediaContentType = headers["content-type"]
    }

    /// The parts between `--boundary` delimiters, each with its headers (any multipart type).
    static func parts(of body: Data, boundary: String) -> [Data] {
        let delimiter = Data("--\(boundary)".utf8)
        var parts: [Data] = []
        var searchStart = body.startIndex
        var partStart: Data.Index?
        while let found = body.range(of: delimiter, in: searchStart..<body.endIndex) {
            if let start = partStart { parts.append(Self.trimmedPart(body[start..<found.lowerBound])) }
            var next = found.upperBound
            if body[next...].starts(with: Data("--".utf8)) { partStart = nil; break }
            if body[next...].starts(with: Data("\r\n".utf8)) { next += 2 } else if body[next...].starts(with: Data("\n".utf8)) { next += 1 }
            partStart = next
            searchStart = next
        }
        return parts
    }

    /// The `boundary` parameter of a multipart content type, without its quotes.
    static func boundary(in contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                // gcloud and gsutil quote the boundary with single quotes (`boundary='===…=='`).
                var value = Substring(pair[1])
                if value.count >= 2, let first = value.first, first == value.last, first == "\"" || first == "'" {
                    value = value.dropFirst().dropLast()
                }
                return String(value)
            }
        }
        return nil
    }

    /// Drops the line break that precedes the next delimiter.
    private static func trimmedPart(_ part: Data) -> Data {
        if part.hasSuffix("\r\n") { return part.dropLast(2) }
        if part.hasSuffix("\n") { return part.dropLast(1) }
        return part
    }

    /// Splits a part into its headers (lower-cased names) and body.
    static func split(_ part: Data) throws -> ([String: String], Data) {
        let separator = part.range(of: Data("\r\n\r\n".utf8)) ?? part.range(of: Data("\n\n".utf8))
        guard let separator else {
            if part.starts(with: Data("\r\n".utf8)) { return ([:], part.dropFirst(2)) }
            throw GoogleAPIError.invalidArgument("A multipart part has no header/body separator.")
        }
        var headers: [String: String] = [:]
        for line in String(decoding: part[part.startIndex..<separator.lowerBound], as: UTF8.self).split(whereSeparator: \.isNewline) {
            let pair = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2 { headers[pair[0].lowercased()] = pair[1] }
        }
        return (headers, Data(part[separator.upperBound...]))
    }
}

private extension Data {
    func hasSuffix(_ text: String) -> Bool { Array(suffix(text.utf8.count)) == Array(text.utf8) }
}
