import ArgumentParser
import Foundation
import GoogleCloud

/// `pixelpipe logout`: forgets the sign-in to one API (the others stay).
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Sign out of the API: its credentials are removed from this machine.")

    @OptionGroup var api: APIOptions

    func run() async throws {
        let store = try CredentialsStore.located(environment: ProcessInfo.processInfo.environment)
        let endpoint = try await api.endpoint(http: HTTPClient())
        let console = Console.standard()
        guard let credentials = try store.credentials(for: endpoint.baseURL) else {
            console.line("not signed in to \(endpoint.baseURL): nothing to do")
            return
        }
        try store.save(nil, for: endpoint.baseURL)
        console.line("signed out of \(endpoint.baseURL) (\(credentials.email)): its credentials are removed from \(store.file.path)")
    }
}
