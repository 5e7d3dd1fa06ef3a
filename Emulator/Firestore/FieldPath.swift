import GoogleCloud

/// A Firestore field path (`a.b`, `` `odd.key`.c ``) split into its segments, with reading,
/// setting and deleting along it inside a document's fields.
struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    var segments: [String]

    /// Parses dotted syntax with backtick-quoted segments; nil when malformed.
    init?(_ text: String) {
        var segments: [String] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            if quoted {
                if character == "\\" {
                    guard let escaped = iterator.next() else { return nil }
                    current.append(escaped)
                } else if character == "`" {
                    quoted = false
                } else {
                    current.append(character)
                }
            } else if character == "`" {
                guard current.isEmpty else { return nil }
                quoted = true
                wasQuoted = true
            } else if character == "." {
                guard !current.isEmpty || wasQuoted else { return nil }
                segments.append(current)
                current = ""
                wasQuoted = false
            } else {
                current.append(character)
            }
        }
        guard !quoted, !current.isEmpty || wasQuoted else { return nil }
        segments.append(current)
        self.segments = segments
    }

    var description: String { segments.joined(separator: ".") }

    /// The value at this path in `fields`, if any.
    func value(in fields: [String: FirestoreValue]) -> FirestoreValue? {
        var current: [String: FirestoreValue] = fields
        for (index, segment) in segments.enumerated() {
            guard let value = current[segment] else { return nil }
            if index == segments.count - 1 { return value }
            guard case .map(let nested) = value else { return nil }
            current = nested
        }
        return nil
    }

    /// Sets (or, with nil, removes) the value at this path, creating maps on the way.
    func set(_ value: FirestoreValue?, in fields: inout [String: FirestoreValue]) {
        Self.set(value, at: segments[...], in: &fields)
    }

    private static func set(_ value: FirestoreValue?, at segments: ArraySlice<String>, in fields: inout [String: FirestoreValue]) {
        guard let first = segments.first else { return }
        if segments.count == 1 {
            fields[first] = value
            return
        }
        var nested: [String: FirestoreValue] = [:]
        if case .map(let existing)? = fields[first] { nested = existing } else if value == nil { return }
        set(value, at: segments.dropFirst(), in: &nested)
        fields[first] = .map(nested)
    }
}
