import Foundation
import GoogleCloud

/// What a client needs to sign in to an API, as the API serves it at `GET /config.json` (no
/// authorization): the Firebase project, its web API key, and where Identity Toolkit and Secure
/// Token are (Google's, or the emulator's under `emulator up`).
public struct SignInConfiguration: Codable, Sendable, Equatable {
    public var projectId: String
    public var apiKey: String
    /// Identity Toolkit v1's root, e.g. `https://identitytoolkit.googleapis.com/v1`.
    public var identityToolkitURL: String
    /// Secure Token v1's root, e.g. `https://securetoken.googleapis.com/v1`.
    public var secureTokenURL: String

    public init(projectId: String, apiKey: String, identityToolkitURL: String, secureTokenURL: String) {
        self.projectId = projectId
        self.apiKey = apiKey
        self.identityToolkitURL = identityToolkitURL
        self.secureTokenURL = secureTokenURL
    }

    /// `GET {api}/config.json`, with `headers` (Cloud Run's IAM token, when asked for).
    public static func fetch(from endpoint: APIEndpoint, http: HTTPClient, headers: [(name: String, value: String)] = []) async throws(CLIError) -> SignInConfiguration {
        let url = endpoint.url("/config.json")
        let response: HTTPClient.Response
        do {
            response = try await http.execute(.init(url: url, headers: headers + [("Accept", "application/json")], timeout: .seconds(30)))
        } catch {
            throw .unreachable(endpoint.baseURL, error)
        }
        guard response.status == 200 else {
            throw .unexpectedAnswer("GET \(url) answered HTTP \(response.status): this API does not say how to sign in to it")
        }
        guard let configuration = try? JSONDecoder().decode(SignInConfiguration.self, from: response.body),
              !configuration.apiKey.isEmpty, configuration.identityToolkitURL.hasPrefix("http"), configuration.secureTokenURL.hasPrefix("http") else {
            throw .unexpectedAnswer("GET \(url) answered what is not a sign-in configuration (projectId, apiKey, identityToolkitURL, secureTokenURL)")
        }
        return configuration
    }
}
