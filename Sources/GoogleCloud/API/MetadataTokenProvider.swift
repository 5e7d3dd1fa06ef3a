import Foundation
import PixelPipeCore

/// Access tokens from the metadata server (Cloud Run, GCE), cached until about a minute before
/// they expire. Concurrent callers share one fetch.
public actor MetadataTokenProvider: AccessTokenProvider {
    private struct Token {
        var value: String
        var refreshAt: ContinuousClock.Instant
    }

    private let tokenURL: String
    private let refreshMargin: Duration
    private let client: HTTPClient
    private var cached: Token?
    private var inFlight: Task<Token, any Error>?

    /// The metadata server at `host` (`GCE_METADATA_HOST`, default `metadata.google.internal`),
    /// refreshing `refreshMargin` before expiry.
    public init(host: String = "metadata.google.internal", refreshMargin: Duration = .seconds(60), client: HTTPClient = .shared) {
        self.tokenURL = "http://\(host)/computeMetadata/v1/instance/service-accounts/default/token"
        self.refreshMargin = refreshMargin
        self.client = client
    }

    /// Reads the host from `GCE_METADATA_HOST`, as Google's client libraries do.
    public init(environment: EnvironmentValues) {
        self.init(host: environment["GCE_METADATA_HOST"] ?? "metadata.google.internal")
    }

    public func accessToken() async throws -> String {
        if let cached, ContinuousClock.now < cached.refreshAt { return cached.value }
        if let inFlight { return try await inFlight.value.value }
        let fetch = Task { try await self.fetch() }
        inFlight = fetch
        defer { inFlight = nil }
        let token = try await fetch.value
        cached = token
        return token.value
    }

    private func fetch() async throws -> Token {
        struct Body: Decodable {
            var access_token: String
            var expires_in: Int
        }
        let requested = ContinuousClock.now
        let response = try await client.execute(.init(url: tokenURL, headers: [("Metadata-Flavor", "Google")], timeout: .seconds(10)))
        guard response.status == 200 else {
            throw GoogleAPIError(httpStatus: response.status, status: "UNAUTHENTICATED", message: "metadata server answered \(response.status) for an access token", resource: tokenURL)
        }
        let body = try JSONDecoder().decode(Body.self, from: response.body)
        return Token(value: body.access_token, refreshAt: requested + .seconds(body.expires_in) - refreshMargin)
    }
}
