/// Typed reads of environment variables. Configuration values are built from one of these once
/// at start-up; tests construct it from a dictionary and never call `setenv`.
public struct EnvironmentValues: Sendable {
    private let values: [String: String]

    /// Wraps a set of variables, e.g. `ProcessInfo.processInfo.environment`.
    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The raw value, with empty strings treated as unset.
    public subscript(key: String) -> String? {
        guard let value = values[key], !value.isEmpty else { return nil }
        return value
    }

    /// The first of several variables that is set, for settings with legacy aliases.
    public func first(of keys: [String]) -> String? {
        keys.lazy.compactMap { self[$0] }.first
    }

    /// A required string.
    public func require(_ key: String) throws(ConfigurationError) -> String {
        guard let value = self[key] else { throw .missing(key) }
        return value
    }

    /// An integer within `range`, or `defaultValue` when unset.
    public func integer(_ key: String, default defaultValue: Int, in range: ClosedRange<Int> = Int.min...Int.max) throws(ConfigurationError) -> Int {
        guard let raw = self[key] else { return defaultValue }
        guard let value = Int(raw.trimmingWhitespace), range.contains(value) else {
            throw .malformed(key, value: raw, expected: "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A duration given in (possibly fractional) seconds, e.g. `10` or `0.5`.
    public func seconds(_ key: String, default defaultValue: Duration) throws(ConfigurationError) -> Duration {
        guard let raw = self[key] else { return defaultValue }
        guard let value = Double(raw.trimmingWhitespace), value.isFinite, value >= 0 else {
            throw .malformed(key, value: raw, expected: "a non-negative number of seconds")
        }
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    /// A boolean spelled `true/false`, `1/0`, `yes/no` or `on/off`.
    public func flag(_ key: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let raw = self[key] else { return defaultValue }
        switch raw.trimmingWhitespace.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw .malformed(key, value: raw, expected: "true or false")
        }
    }

    /// One of a closed set of values, matched case-insensitively.
    public func choice<T: RawRepresentable & CaseIterable>(_ key: String, default defaultValue: T) throws(ConfigurationError) -> T where T.RawValue == String {
        guard let raw = self[key] else { return defaultValue }
        guard let value = T.allCases.first(where: { $0.rawValue.lowercased() == raw.trimmingWhitespace.lowercased() }) else {
            throw .malformed(key, value: raw, expected: "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace.
    public var trimmingWhitespace: SubSequence {
        var slice = self[...]
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return slice
    }
}
