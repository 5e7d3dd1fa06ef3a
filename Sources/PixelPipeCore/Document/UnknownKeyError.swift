/// A key a strictly read document does not define — most often a typo (`qualty`,
/// `subscripshuns`) that would otherwise be ignored without a word, leaving a setting at its
/// default. Carries where the key sits and the known key it most likely misspells.
public struct UnknownKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path of the key itself, e.g. `sizes[1].widht`.
    public let path: DocumentPath
    /// The key as written.
    public let key: String
    /// The known key `key` most likely misspells, if any is near.
    public let suggestion: String?
    /// The keys that may appear where `key` does.
    public let known: [String]

    /// The unknown `key` of the mapping at `container`, among the `known` keys of that mapping.
    public init(key: String, in container: DocumentPath, known: [String], aliases: [String: String] = [:]) {
        self.key = key
        self.path = container.appending(.key(key))
        self.known = known
        self.suggestion = KeySuggestion.nearest(to: key, among: known, aliases: aliases)
    }

    /// What to do about it: `did you mean 'quality'?`, or the keys allowed there.
    public var hint: String {
        if let suggestion { return "did you mean '\(suggestion)'?" }
        return "expected one of " + known.joined(separator: ", ")
    }

    /// `unknown key sizes[1].widht; did you mean 'width'?`
    public var description: String { "unknown key \(path); \(hint)" }
}
