import ArgumentParser

/// `pixelpipe retry JOB`: a new run of a job's failed images.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Retry a job's failed images.")

    @Argument(help: "The job id.")
    var job: String

    @Flag(help: "Wait for the retry to finish, showing its progress.")
    var wait = false

    @OptionGroup var api: APIOptions

    func run() async throws {
        let client = try await api.client()
        let retried = try await client.retry(job)
        try await JobOutcome(api: client, console: .standard()).report(retried, wait: wait)
    }
}
