import Foundation
import PipelineModel

/// A submission's recipe override and webhook, validated before a byte is stored: they travel
/// as the object metadata (`recipe`, `webhook-url`) ingest reads, like those of a folder drop.
struct JobOptions: Sendable, Equatable {
    /// The recipe override as the user gave it (a JSON object merged over the default).
    var recipe: String?
    var webhookUrl: String?

    /// Checks both against `configuration`; a problem names the field (`recipe`, `webhookUrl`).
    func validate(_ configuration: ApiConfiguration) throws(Problem) -> Recipe {
        var effective = configuration.pipeline.recipe
        if let recipe {
            do {
                effective = try effective.merging(overrideJSON: Data(recipe.utf8))
            } catch {
                throw Problem.invalidRecipe("recipe is not valid: \(error)")
            }
            do {
                try configuration.pipeline.outputBudget.check(effective)
            } catch {
                throw Problem.invalidRecipe(error.description)
            }
        }
        if let webhookUrl {
            guard let components = URLComponents(string: webhookUrl), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
                  components.host?.isEmpty == false else {
                throw Problem.invalid("webhookUrl", "webhookUrl is not an http(s) URL: \(webhookUrl.prefix(200))")
            }
        }
        return effective
    }

    /// The effective recipe as the job will store it (sorted keys).
    static func json(_ recipe: Recipe) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(recipe)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The object metadata ingest reads, plus the original file name.
    func metadata(fileName: String, owner: String) -> [String: String] {
        var metadata = ["original-name": fileName, "owner": owner]
        if let recipe { metadata["recipe"] = recipe }
        if let webhookUrl { metadata["webhook-url"] = webhookUrl }
        return metadata
    }
}
