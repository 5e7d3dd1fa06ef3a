import ArgumentParser
import Foundation
import GoogleCloud

/// How a new job runs: its recipe, its webhook, and whether the command waits for it.
struct JobOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A recipe merged over the default: a JSON file, or the JSON itself (`{\"formats\":[\"avif\"]}`).", valueName: "file|json"))
    var recipe: String?

    @Option(help: ArgumentHelp("Where the job's signed webhook goes.", valueName: "url"))
    var webhook: String?

    @Flag(help: "Wait for the job to finish, showing its progress, then summarize it; the exit status tells the outcome.")
    var wait = false

    /// The recipe as JSON text, read from its file when it is not JSON itself.
    func recipeJSON() throws(CLIError) -> String? {
        guard let recipe else { return nil }
        let trimmed = recipe.trimmingCharacters(in: .whitespacesAndNewlines)
        let text: String
        let origin: String
        if trimmed.hasPrefix("{") {
            text = trimmed
            origin = "--recipe"
        } else {
            guard let data = FileManager.default.contents(atPath: recipe) else {
                throw .usage("error: --recipe \(recipe): no such file (give a JSON file or the JSON itself)")
            }
            text = String(decoding: data, as: UTF8.self)
            origin = "--recipe \(recipe)"
        }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), case .object = value else {
            throw .usage("error: \(origin) is not a JSON object")
        }
        return text
    }

    /// The webhook URL, checked to be http(s).
    func webhookURL() throws(CLIError) -> String? {
        guard let webhook else { return nil }
        guard let scheme = URLComponents(string: webhook)?.scheme?.lowercased(), ["http", "https"].contains(scheme) else {
            throw .usage("error: --webhook must be an http(s) URL, not \(webhook.debugDescription)")
        }
        return webhook
    }
}
