import GoogleCloud
import PixelPipeCore
/// A recipe that cannot be used, naming the field at fault (`sizes[1].width`, `watermark.opacity`).
public struct RecipeError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Equatable, Sendable {
        case malformedJSON
        case wrongType(expected: String)
        case missing
        case invalid(reason: String)
        case unknownKey(hint: String)
    }

    private let code: Code
    /// Path of the offending field, e.g. `sizes[0].fit`; empty for the document itself.
    public let field: String

    /// The document is not JSON (or not an object).
    public static func malformedJSON(_ detail: String) -> RecipeError {
        RecipeError(code: .malformedJSON, field: detail)
    }

    /// A field holds a value of the wrong JSON type.
    public static func wrongType(_ field: String, expected: String) -> RecipeError {
        RecipeError(code: .wrongType(expected: expected), field: field)
    }

    /// A required field is absent.
    public static func missing(_ field: String) -> RecipeError {
        RecipeError(code: .missing, field: field)
    }

    /// A field's value is out of range or not one of the allowed values.
    public static func invalid(_ field: String, _ reason: String) -> RecipeError {
        RecipeError(code: .invalid(reason: reason), field: field)
    }

    /// A key the recipe format does not define (a typo such as `qualty`), with a suggestion.
    public static func unknownKey(_ error: UnknownKeyError) -> RecipeError {
        RecipeError(code: .unknownKey(hint: error.hint), field: error.path.description)
    }

    public var description: String {
        switch code {
        case .malformedJSON: return "recipe is not a JSON object: \(field)"
        case .wrongType(let expected): return "recipe field \(field): expected \(expected)"
        case .missing: return "recipe field \(field) is required"
        case .invalid(let reason): return "recipe field \(field): \(reason)"
        case .unknownKey(let hint): return "unknown recipe key \(field); \(hint)"
        }
    }
}
