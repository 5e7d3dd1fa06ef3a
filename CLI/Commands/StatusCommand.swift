import ArgumentParser

/// `pixelpipe status JOB`: where a job stands; for a final job its summary, with the exit
/// status of its outcome.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a job: its progress, or once final its summary.")

    @Argument(help: "The job id.")
    var job: String

    @Flag(help: "Wait for the job to finish, showing its progress.")
    var wait = false

    @OptionGroup var api: APIOptions

    func run() async throws {
        let client = try await api.client()
        try await JobOutcome(api: client, console: .standard()).report(try await client.job(job), wait: wait)
    }
}
