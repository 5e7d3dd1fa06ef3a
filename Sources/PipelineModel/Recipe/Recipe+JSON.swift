import Foundation
import PixelPipeCore

extension Recipe {
    /// Decodes and validates a recipe document; absent fields take the default recipe's values.
    public init(json: Data) throws(RecipeError) {
        let recipe: Recipe
        do {
            recipe = try JSONDecoder().decode(Recipe.self, from: json)
        } catch let error as DecodingError {
            throw RecipeError(error)
        } catch let error as UnknownKeyError {
            throw .unknownKey(error)
        } catch {
            throw .malformedJSON(String(describing: error))
        }
        try recipe.validate()
        self = recipe
    }

    /// The default recipe from configuration: `IMAGE_RECIPE` holds a JSON recipe, else the
    /// built-in `Recipe.default`.
    public init(environment: EnvironmentValues) throws(ConfigurationError) {
        guard let raw = environment["IMAGE_RECIPE"] else {
            self = .default
            return
        }
        do {
            self = try Recipe(json: Data(raw.utf8))
        } catch {
            throw .malformed("IMAGE_RECIPE", value: raw, expected: "a valid recipe (\(error))")
        }
    }

    /// This recipe with a job's override applied as a JSON merge patch (RFC 7396): objects
    /// merge key by key, arrays and scalars replace, `null` removes (e.g. `"watermark": null`).
    public func merging(overrideJSON: Data) throws(RecipeError) -> Recipe {
        let patch: Any
        do {
            patch = try JSONSerialization.jsonObject(with: overrideJSON, options: [.fragmentsAllowed])
        } catch {
            throw .malformedJSON("override: \(error.localizedDescription)")
        }
        guard patch is [String: Any] else { throw .malformedJSON("override must be an object") }
        let base: Any
        do {
            base = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self))
        } catch {
            throw .malformedJSON("could not encode the base recipe: \(error)")
        }
        let merged = Self.mergePatch(base, patch)
        let data: Data
        do {
            data = try JSONSerialization.data(withJSONObject: merged)
        } catch {
            throw .malformedJSON("override: \(error.localizedDescription)")
        }
        return try Recipe(json: data)
    }

    /// RFC 7396 merge of `patch` over `target`.
    private static func mergePatch(_ target: Any, _ patch: Any) -> Any {
        guard let patch = patch as? [String: Any] else { return patch }
        var result = target as? [String: Any] ?? [:]
        for (key, value) in patch {
            if value is NSNull {
                result.removeValue(forKey: key)
            } else {
                result[key] = mergePatch(result[key] ?? NSNull(), value)
            }
        }
        return result
    }
}

extension RecipeError {
    /// Names the field a decoding error points at, e.g. `sizes[1].fit`.
    init(_ error: DecodingError) {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            DocumentPath(codingPath + (last.map { [$0] } ?? [])).description
        }
        switch error {
        case .typeMismatch(let type, let context):
            self = .wrongType(path(context.codingPath), expected: Self.jsonName(of: type))
        case .valueNotFound(let type, let context):
            self = .wrongType(path(context.codingPath), expected: Self.jsonName(of: type))
        case .keyNotFound(let key, let context):
            self = .missing(path(context.codingPath, key))
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                self = .malformedJSON(context.underlyingError.map { String(describing: $0) } ?? context.debugDescription)
            } else {
                self = .invalid(path(context.codingPath), context.debugDescription)
            }
        @unknown default:
            self = .malformedJSON(String(describing: error))
        }
    }

    private static func jsonName(of type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        case is [Any].Type: return "an array"
        default: return "an object"
        }
    }
}
