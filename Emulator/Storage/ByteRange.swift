/// A `Range: bytes=…` request header resolved against an object's size.
enum ByteRange {
    /// The inclusive byte range to serve; nil for the whole object (no or unparseable header,
    /// as Cloud Storage ignores those); throws 416 when it lies beyond the object.
    static func resolve(_ header: String?, size: Int64) throws -> ClosedRange<Int64>? {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst("bytes=".count)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { return nil }
        if parts[0].isEmpty {
            guard let suffix = Int64(parts[1]), suffix > 0 else { return nil }
            guard size > 0 else { throw GoogleAPIError.rangeNotSatisfiable("The requested range \(header) cannot be satisfied for an empty object.") }
            return max(0, size - suffix)...(size - 1)
        }
        guard let start = Int64(parts[0]), start >= 0 else { return nil }
        let end = parts[1].isEmpty ? size - 1 : (Int64(parts[1]) ?? -1)
        guard end >= start || parts[1].isEmpty else { return nil }
        guard start < size else {
            throw GoogleAPIError.rangeNotSatisfiable("The requested range \(header) starts beyond the object's \(size) bytes.")
        }
        return start...min(end, size - 1)
    }
}

import Foundation
import GoogleCloud
