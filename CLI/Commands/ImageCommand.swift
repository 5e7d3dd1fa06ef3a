import ArgumentParser
import Foundation

/// `pixelpipe image FILE|URL`: one image as a job of one item.
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "image", abstract: "Process one image (a file, uploaded, or an http(s) URL) as a job of one item.")

    @Argument(help: ArgumentHelp("An image file, or the http(s) URL of one.", valueName: "file|url"))
    var source: String

    @OptionGroup var job: JobOptions
    @OptionGroup var api: APIOptions

    func run() async throws {
        let recipe = try job.recipeJSON()
        let webhook = try job.webhookURL()
        let lowered = source.lowercased()
        let isURL = lowered.hasPrefix("http://") || lowered.hasPrefix("https://")
        if !isURL {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw CLIError.usage("error: \(source): no such file, and not an http(s) URL")
            }
        }
        let client = try await api.client()
        let accepted = isURL
            ? try await client.submitImage(url: source, recipe: recipe, webhook: webhook)
            : try await client.submitImage(file: URL(fileURLWithPath: source), recipe: recipe, webhook: webhook)
        try await JobOutcome(api: client, console: .standard()).report(accepted, wait: job.wait)
    }
}
