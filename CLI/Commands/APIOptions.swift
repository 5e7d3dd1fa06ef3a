import ArgumentParser

/// Where the jobs API is, for every command.
struct APIOptions: ParsableArguments {
    @Option(name: .customLong("api"), help: ArgumentHelp(
        "The jobs API's URL (default: PIXELPIPE_API, else the running emulator's api service, else http://127.0.0.1:8086). Requests to a non-loopback URL carry `gcloud auth print-identity-token`.",
        valueName: "url"))
    var api: String?

    /// A client of the API these options name.
    func client() async throws(CLIError) -> JobsAPIClient {
        try await JobsAPIClient.make(apiOption: api)
    }
}
