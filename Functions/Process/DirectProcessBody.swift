import Foundation
import FunctionsFramework
import PixelPipeCore

/// The JSON body of `POST /process`: a source URL and an optional partial recipe.
struct DirectProcessBody {
    var url: String
    /// The `recipe` object as JSON, when given.
    var recipe: Data?

    /// Parses the body, naming what is wrong with it.
    init(json: Data) throws(InvocationError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: json)
        } catch {
            throw .malformed("the body is not valid JSON: \(error.localizedDescription)")
        }
        guard let fields = object as? [String: Any] else {
            throw .malformed("the body must be a JSON object such as {\"url\": \"https://…\"}")
        }
        // A misspelt `recipe` would otherwise be ignored and the default recipe used.
        if let unknown = fields.keys.sorted().first(where: { !["url", "recipe"].contains($0) }) {
            throw .malformed("the body: \(UnknownKeyError(key: unknown, in: DocumentPath(), known: ["url", "recipe"]))")
        }
        guard let url = fields["url"] else { throw .malformed("the body has no 'url'") }
        guard let text = url as? String, !text.isEmpty else { throw .malformed("'url' must be a non-empty string") }
        self.url = text
        switch fields["recipe"] {
        case nil, is NSNull:
            recipe = nil
        case let value as [String: Any]:
            do {
                recipe = try JSONSerialization.data(withJSONObject: value)
            } catch {
                throw .malformed("'recipe' could not be read: \(error.localizedDescription)")
            }
        default:
            throw .malformed("'recipe' must be a JSON object")
        }
    }
}
