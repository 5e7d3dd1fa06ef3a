import Foundation
import PipelineModel
import PixelPipeCore

/// The JSON body of `POST /v1/images`: `{"url": "https://…", "recipe"?: {…}, "webhookUrl"?: "…"}`.
/// Unknown members are refused (a misspelt `recipe` would otherwise run the default recipe).
struct ImageRequestBody: Sendable, Equatable {
    var url: String
    var options: JobOptions

    /// The known members.
    static let members = ["url", "recipe", "webhookUrl"]

    /// Parses the body; a problem names the member at fault.
    init(json: Data) throws(Problem) {
        guard let object = try? JSONSerialization.jsonObject(with: json), let fields = object as? [String: Any] else {
            throw Problem.invalid("body", "the body must be a JSON object such as {\"url\": \"https://…\"}")
        }
        if let unknown = fields.keys.sorted().first(where: { !Self.members.contains($0) }) {
            throw Problem.invalid(unknown, "\(UnknownKeyError(key: unknown, in: DocumentPath(), known: Self.members))")
        }
        guard let url = fields["url"] as? String, !url.isEmpty else {
            throw Problem.invalid("url", "url must be a non-empty string")
        }
        self.url = url
        options = JobOptions()
        switch fields["recipe"] {
        case nil, is NSNull:
            break
        case let value as [String: Any]:
            guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else {
                throw Problem.invalidRecipe("recipe could not be read")
            }
            options.recipe = String(decoding: data, as: UTF8.self)
        default:
            throw Problem.invalidRecipe("recipe must be a JSON object")
        }
        switch fields["webhookUrl"] {
        case nil, is NSNull:
            break
        case let value as String:
            options.webhookUrl = value
        default:
            throw Problem.invalid("webhookUrl", "webhookUrl must be a string")
        }
    }
}
