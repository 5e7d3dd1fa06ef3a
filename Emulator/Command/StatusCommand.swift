import ArgumentParser
import Foundation
import GoogleCloud

/// `emulator status`: what a running emulator is doing, as text — the dashboard's content.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Print jobs, queues, subscriptions and recent invocations of a running emulator.")

    @Option(name: .long, help: "The emulator's URL.")
    var url: String = "http://127.0.0.1:8085"

    func run() async throws {
        let response: HTTPClient.Response
        do {
            response = try await HTTPClient().execute(.init(url: url + "/_emulator/status?format=text", timeout: .seconds(10)))
        } catch {
            throw ValidationError("no emulator answers at \(url) (\(error)); start one with `emulator up`")
        }
        guard response.status == 200 else { throw ValidationError("\(url) answered \(response.status)") }
        print(String(decoding: response.body, as: UTF8.self), terminator: "")
    }
}
