import ArgumentParser
import Foundation
import PipelineModel

/// `pixelpipe whoami`: who the commands act as, and what the API says of them (`GET /v1/me`).
struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Show the signed-in account: email, uid, and the API's limits and usage for it.")

    @OptionGroup var api: APIOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        // The client refreshes the ID token if it must, so a sign-in that no longer holds shows here.
        let client = try await api.client()
        let console = Console.standard()
        var lines = [("api", client.endpoint.baseURL)]
        let fromEnvironment = environment["PIXELPIPE_TOKEN"].map { !$0.isEmpty } ?? false
        if fromEnvironment {
            lines.append(("token", "PIXELPIPE_TOKEN"))
        } else if let credentials = try CredentialsStore.located(environment: environment).credentials(for: client.endpoint.baseURL) {
            lines += [("email", credentials.email), ("uid", credentials.uid)]
        }
        for (key, value) in lines { console.line(Self.field(key, value)) }
        guard let me = try await client.me() else { return }
        var more: [(String, String)] = []
        if fromEnvironment {
            more += [("email", me.email ?? "-"), ("uid", me.uid)]
        }
        more.append(("admin", me.admin ? "yes" : "no"))
        if let limits = me.limits {
            more.append(("limits", "\(Self.count(limits.maxActiveJobs, "active job")), \(Self.count(limits.maxImagesPerDay, "image")) a day"))
        } else if me.admin {
            more.append(("limits", "none (an admin)"))
        }
        more.append(("usage", "\(Self.count(me.usage.activeJobs, "active job")), \(Self.count(me.usage.imagesToday, "image")) today"))
        for (key, value) in more { console.line(Self.field(key, value)) }
    }

    /// `email:  a@example.com`, values aligned.
    static func field(_ key: String, _ value: String) -> String {
        (key + ":").padding(toLength: 8, withPad: " ", startingAt: 0) + value
    }

    /// `3 active jobs`, `1 image`, or `any number of images` when the API sets no limit.
    static func count(_ value: Int?, _ noun: String) -> String {
        guard let value else { return "any number of \(noun)s" }
        return "\(value) \(noun)\(value == 1 ? "" : "s")"
    }
}
