/// A configuration value that is missing or cannot be used, naming the variable at fault.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Equatable, Sendable {
        case missing
        case malformed(value: String, expected: String)
    }

    private let code: Code
    /// The environment variable (or setting) at fault.
    public let key: String

    /// A required variable is not set.
    public static func missing(_ key: String) -> ConfigurationError {
        ConfigurationError(code: .missing, key: key)
    }

    /// A variable is set to a value that is not of the expected shape.
    public static func malformed(_ key: String, value: String, expected: String) -> ConfigurationError {
        ConfigurationError(code: .malformed(value: value, expected: expected), key: key)
    }

    public var description: String {
        switch code {
        case .missing:
            return "\(key) is not set"
        case .malformed(let value, let expected):
            return "\(key)=\(value.debugDescription) is not valid: expected \(expected)"
        }
    }
}
