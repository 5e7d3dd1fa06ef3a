/// A request path split into percent-decoded segments, read from the raw `request.uri.path` so
/// that encoded slashes (`a%2Fb.csv`) stay inside one segment, with Google's custom verb
/// (`topics/T:publish`) split off the last segment.
struct APIPath: Sendable, Equatable {
    /// Decoded segments, without the custom verb.
    var segments: [String]
    /// The `:verb` suffix of the last segment, if any (without the colon).
    var verb: String?

    /// Parses `raw`; nil when a segment is not valid percent-encoded UTF-8. With `verbs`, only
    /// those suffixes count as verbs, so ids that may contain a colon keep it.
    init?(raw: String, splitVerb: Bool = true, verbs: Set<String>? = nil) {
        var parts = raw.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.first == "" { parts.removeFirst() }
        if parts.last == "", !parts.isEmpty { parts.removeLast() }
        var decoded: [String] = []
        decoded.reserveCapacity(parts.count)
        for part in parts {
            guard let segment = part.removingPercentEncodingStrictly() else { return nil }
            decoded.append(segment)
        }
        var verb: String?
        // The verb is read from the raw (encoded) segment so an encoded colon stays in the name.
        if splitVerb, let last = parts.last, let colon = last.lastIndex(of: ":"),
           verbs?.contains(String(last[last.index(after: colon)...])) ?? true {
            let name = String(last[..<colon])
            verb = String(last[last.index(after: colon)...])
            decoded[decoded.count - 1] = name.removingPercentEncodingStrictly() ?? name
        }
        self.segments = decoded
        self.verb = verb
    }

    init(segments: [String], verb: String? = nil) {
        self.segments = segments
        self.verb = verb
    }

    /// Whether the path begins with `prefix` (literal segments; `*` matches any one segment).
    func hasPrefix(_ prefix: [String]) -> Bool {
        guard segments.count >= prefix.count else { return false }
        for (pattern, segment) in zip(prefix, segments) where pattern != "*" && pattern != segment {
            return false
        }
        return true
    }
}

extension String {
    /// Percent-decodes as RFC 3986 does (no `+` → space); nil for malformed escapes or
    /// sequences that are not UTF-8. NUL (`%00`) decodes like any other byte.
    func removingPercentEncodingStrictly() -> String? {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters, as Google does for object
    /// names inside URLs (`a/b` → `a%2Fb`).
    func percentEncodedPathSegment() -> String {
        var result = ""
        result.reserveCapacity(utf8.count)
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += byte < 16 ? "%0\(hex)" : "%\(hex)"
            }
        }
        return result
    }
}
