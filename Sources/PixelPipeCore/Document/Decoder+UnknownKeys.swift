extension Decoder {
    /// Throws `UnknownKeyError` for a key of this mapping outside `keys`, so that a typo in a
    /// hand-written document is an error instead of a setting silently left at its default.
    /// Call it first in `init(from:)`; `aliases` are words to suggest a key for (see `KeySuggestion`).
    public func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type, aliases: [String: String] = [:]) throws {
        let known = Keys.allCases.map(\.stringValue)
        let present = try container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        // Sorted, so that of several unknown keys the same one is reported every time.
        if let unknown = present.filter({ !known.contains($0) }).sorted().first {
            throw UnknownKeyError(key: unknown, in: DocumentPath(codingPath), known: known, aliases: aliases)
        }
    }
}

extension KeyedDecodingContainer {
    /// `Decoder.rejectUnknownKeys` for the mapping under `key`, when there is one: for a value
    /// whose type keeps its synthesized decoding, checked by the type that holds it.
    public func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(under key: Key, _ keys: Keys.Type) throws {
        guard contains(key) else { return }
        try superDecoder(forKey: key).rejectUnknownKeys(keys)
    }
}

/// Any key at all, to list what a mapping holds.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
