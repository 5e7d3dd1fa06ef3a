import ArgumentParser
import Foundation
import GoogleCloud

/// Where the jobs API is, for every command, and whether Cloud Run's IAM guards it too.
struct APIOptions: ParsableArguments {
    @Option(name: .customLong("api"), help: ArgumentHelp(
        "The jobs API's URL (default: PIXELPIPE_API, else the running emulator's api service, else http://127.0.0.1:8086).",
        valueName: "url"))
    var api: String?

    @Flag(name: .customLong("gcloud-token"), help: "Also send `gcloud auth print-identity-token` as X-Serverless-Authorization, for an API that Cloud Run's IAM guards as well.")
    var gcloudToken = false

    /// A client of the API these options name, carrying the signed-in user's ID token.
    func client() async throws(CLIError) -> JobsAPIClient {
        try await JobsAPIClient.make(apiOption: api, gcloudToken: gcloudToken)
    }

    /// The API these options name, for the commands that sign in and out.
    func endpoint(http: HTTPClient) async throws(CLIError) -> APIEndpoint {
        try await APIEndpoint.resolve(option: api, environment: ProcessInfo.processInfo.environment, client: http)
    }

    /// The headers that pass Cloud Run's IAM (none without `--gcloud-token`), for requests made
    /// without a `JobsAPIClient` (`/config.json`).
    func gcloudHeaders() async throws(CLIError) -> [(name: String, value: String)] {
        guard gcloudToken else { return [] }
        let token = try await IdentityTokenSource(gcloud: ProcessInfo.processInfo.environment["PIXELPIPE_GCLOUD"] ?? "gcloud").token()
        return [("X-Serverless-Authorization", "Bearer \(token)")]
    }
}
