import ArgumentParser

/// `pixelpipe cancel JOB`: stops a job's remaining images.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a job: its images not yet processed are not processed.")

    @Argument(help: "The job id.")
    var job: String

    @OptionGroup var api: APIOptions

    func run() async throws {
        let client = try await api.client()
        let cancelled = try await client.cancel(job)
        Console.standard().line(ProgressLine.plain(cancelled))
    }
}
