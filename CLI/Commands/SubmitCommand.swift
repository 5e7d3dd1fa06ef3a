import ArgumentParser
import Foundation

/// `pixelpipe submit FILE.csv`: uploads the CSV (streamed from disk) as a new job.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "submit", abstract: "Upload a CSV of products and image URLs as a new job.")

    @Argument(help: ArgumentHelp("The CSV: `S. No.,Product Name,Input Image Urls` or a close variant.", valueName: "file.csv"))
    var file: String

    @OptionGroup var job: JobOptions
    @OptionGroup var api: APIOptions

    func run() async throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw CLIError.usage("error: \(file): no such file")
        }
        let recipe = try job.recipeJSON()
        let webhook = try job.webhookURL()
        let client = try await api.client()
        let accepted = try await client.submit(csv: URL(fileURLWithPath: file), recipe: recipe, webhook: webhook)
        try await JobOutcome(api: client, console: .standard()).report(accepted, wait: job.wait)
    }
}
