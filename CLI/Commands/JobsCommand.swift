import ArgumentParser
import PipelineModel

/// `pixelpipe jobs`: the latest jobs, newest first, one line each.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "List jobs, newest first.")

    @Option(help: ArgumentHelp("Only jobs with this status: \(JobResource.Status.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "status"))
    var status: String?

    @Option(help: "How many jobs to list (1–1000).")
    var limit = 50

    @OptionGroup var api: APIOptions

    func validate() throws {
        if let status, JobResource.Status(rawValue: status) == nil {
            throw ValidationError("--status must be one of \(JobResource.Status.allCases.map(\.rawValue).joined(separator: ", ")), not '\(status)'")
        }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1–1000, not \(limit)") }
    }

    func run() async throws {
        let client = try await api.client()
        let console = Console.standard()
        let page = try await client.jobs(status: status, pageSize: limit)
        if page.jobs.isEmpty {
            console.line(status.map { "no \($0) jobs" } ?? "no jobs yet")
            return
        }
        for line in JobTable.lines(page.jobs) { console.line(line) }
        if page.nextPageToken != nil { console.line("(more: --limit \(min(1000, limit * 2)))") }
    }
}
