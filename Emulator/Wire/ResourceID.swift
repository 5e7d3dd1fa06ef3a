/// Checks on the last segment of Google resource names (topic, subscription, queue, task ids),
/// which also keeps them safe to use anywhere in the emulator.
enum ResourceID {
    /// Pub/Sub topic and subscription ids: 3–255 of `[A-Za-z0-9-_.~+%]`, starting with a letter,
    /// not starting with `goog`.
    static func isValidPubSub(_ id: String) -> Bool {
        guard (3...255).contains(id.utf8.count), let first = id.unicodeScalars.first,
              isLetter(first), !id.lowercased().hasPrefix("goog") else { return false }
        return id.unicodeScalars.allSatisfy { isLetter($0) || isDigit($0) || "-_.~+%".unicodeScalars.contains($0) }
    }

    /// Cloud Tasks queue ids: 1–100 of `[A-Za-z0-9-]`.
    static func isValidQueue(_ id: String) -> Bool {
        (1...100).contains(id.utf8.count) && id.unicodeScalars.allSatisfy { isLetter($0) || isDigit($0) || $0 == "-" }
    }

    /// Cloud Tasks task ids: 1–500 of `[A-Za-z0-9_-]`.
    static func isValidTask(_ id: String) -> Bool {
        (1...500).contains(id.utf8.count) && id.unicodeScalars.allSatisfy { isLetter($0) || isDigit($0) || $0 == "-" || $0 == "_" }
    }

    /// Project and location ids: 1–100 of `[A-Za-z0-9-_.:]`.
    static func isValidProjectOrLocation(_ id: String) -> Bool {
        (1...100).contains(id.utf8.count) && id.unicodeScalars.allSatisfy { isLetter($0) || isDigit($0) || "-_.:".unicodeScalars.contains($0) }
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
}
