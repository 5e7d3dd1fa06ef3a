import ArgumentParser
import Foundation
import PipelineModel

/// `pixelpipe results JOB`: every item of a job, one line each, and optionally its outputs
/// downloaded into a folder.
struct ResultsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "results", abstract: "List a job's items (row order) and download their output images.")

    @Argument(help: "The job id.")
    var job: String

    @Flag(help: "Only the failed items, with their reasons.")
    var failed = false

    @Option(help: ArgumentHelp("Download every output image of the listed items into this folder, as ROW-INDEX-SIZE.FORMAT.", valueName: "dir"))
    var download: String?

    @Option(help: "Downloads in flight at once.")
    var concurrency = 8

    @OptionGroup var api: APIOptions

    func validate() throws {
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be 1–64, not \(concurrency)") }
    }

    func run() async throws {
        let client = try await api.client()
        let console = Console.standard()
        var items: [ItemResource] = []
        var token: String?
        repeat {
            let page = try await client.items(job: job, status: failed ? .failed : nil, pageSize: 1000, pageToken: token)
            for item in page.items { console.line(Self.line(item)) }
            if download != nil { items += page.items }
            token = page.nextPageToken
        } while token != nil
        guard let download else { return }
        let directory = URL(fileURLWithPath: download)
        let result = try await OutputDownloader(api: client, concurrency: concurrency).download(items, into: directory)
        for failure in result.failures { console.error(failure) }
        console.line("downloaded \(result.written) output\(result.written == 1 ? "" : "s") (\(result.bytes) bytes) into \(directory.path)")
        if !result.failures.isEmpty { throw ExitCode(1) }
    }

    /// `3-1  succeeded  Blue mug  http://…/mug.jpg  6 outputs` or `3-2  failed  Blue mug  REASON`.
    static func line(_ item: ItemResource) -> String {
        let tail = item.status == .failed ? item.reason ?? "no reason recorded" : "\(item.outputs.count) output\(item.outputs.count == 1 ? "" : "s")"
        return [item.id, item.status.rawValue, item.product, item.url ?? "-", tail].joined(separator: "  ")
    }
}
