import Foundation
import Logging
import PixelPipeCore

/// The one path every Google API call takes: endpoint selection, the bearer token when not on an
/// emulator, the current trace (`traceparent`), a deadline, and retries with jittered backoff on
/// 429, 5xx and connection failures.
/// The service clients (`StorageClient`, `PubSubClient`, `CloudTasksClient`,
/// `FirestoreClient`) build requests on top of it.
public struct GoogleAPIClient: Sendable {
    /// Which Google service a call is for.
    public enum Service: Sendable {
        case storage, pubSub, cloudTasks, firestore, identityToolkit
    }

    public let endpoints: GoogleEndpoints
    public let retryPolicy: RetryPolicy
    /// Time allowed for one call, retries included.
    public let callTimeout: Duration
    private let tokens: (any AccessTokenProvider)?
    private let http: HTTPClient
    private let logger: Logger

    public init(
        endpoints: GoogleEndpoints,
        tokens: (any AccessTokenProvider)? = nil,
        retryPolicy: RetryPolicy = RetryPolicy(),
        callTimeout: Duration = .seconds(60),
        http: HTTPClient = .shared,
        logger: Logger = Logger(label: "pixelpipe.google")
    ) {
        self.endpoints = endpoints
        self.tokens = tokens
        self.retryPolicy = retryPolicy
        self.callTimeout = callTimeout
        self.http = http
        self.logger = logger
    }

    /// Endpoints from the `*_EMULATOR_HOST` variables; tokens from the metadata server for any
    /// service not emulated.
    public init(environment: EnvironmentValues, http: HTTPClient = .shared, logger: Logger = Logger(label: "pixelpipe.google")) {
        let endpoints = GoogleEndpoints(environment: environment)
        self.init(
            endpoints: endpoints,
            tokens: endpoints.needsCredentials ? MetadataTokenProvider(environment: environment) : nil,
            http: http,
            logger: logger
        )
    }

    /// The base URL of `service`.
    public func baseURL(_ service: Service) -> String { endpoint(service).baseURL }

    private func endpoint(_ service: Service) -> GoogleEndpoints.Endpoint {
        switch service {
        case .storage: endpoints.storage
        case .pubSub: endpoints.pubSub
        case .cloudTasks: endpoints.cloudTasks
        case .firestore: endpoints.firestore
        case .identityToolkit: endpoints.identityToolkit
        }
    }

    /// Sends a request to `service` at `path` (already percent-encoded) and returns the response
    /// when its status is in `accept`; other statuses become `GoogleAPIError`s naming `resource`.
    public func send(
        _ service: Service,
        method: String,
        path: String,
        query: [(String, String)] = [],
        headers: [(name: String, value: String)] = [],
        body: Data? = nil,
        resource: String,
        accept: Set<Int> = [200, 201, 204],
        absoluteURL: String? = nil
    ) async throws -> HTTPClient.Response {
        let endpoint = endpoint(service)
        let url = absoluteURL ?? (endpoint.baseURL + path + Self.queryString(query))
        let deadline = ContinuousClock.now + callTimeout
        var attempt = 1
        while true {
            var allHeaders = headers
            // The job's trace on every call, so Google's side of it joins the same trace.
            if let trace = TraceParent.current, !allHeaders.contains(where: { $0.name.lowercased() == "traceparent" }) {
                allHeaders.append(("traceparent", trace.header))
            }
            if !endpoint.isEmulator, let tokens {
                allHeaders.append(("Authorization", "Bearer \(try await tokens.accessToken())"))
            }
            let remaining = deadline - .now
            let failure: GoogleAPIError
            do {
                let response = try await http.execute(.init(method: method, url: url, headers: allHeaders, body: body, timeout: remaining))
                if accept.contains(response.status) { return response }
                failure = GoogleAPIError.from(response, resource: resource)
            } catch let error as HTTPClientError {
                failure = GoogleAPIError.transport(error, resource: resource)
            }
            let backoff = retryPolicy.backoff(beforeRetry: attempt)
            guard failure.isTransient, attempt < retryPolicy.maxAttempts, ContinuousClock.now + backoff < deadline else {
                throw failure
            }
            logger.debug("retrying a Google API call", metadata: [
                "pixelpipe.resource": .string(resource),
                "pixelpipe.attempt": .stringConvertible(attempt),
                "pixelpipe.error": .string(failure.description),
            ])
            try await Task.sleep(for: backoff)
            attempt += 1
        }
    }

    /// Sends JSON (when `body` is given) and decodes a JSON answer.
    public func json<Response: Decodable>(
        _ service: Service,
        method: String,
        path: String,
        query: [(String, String)] = [],
        body: (any Encodable)? = nil,
        resource: String,
        as type: Response.Type = Response.self
    ) async throws -> Response {
        let encoded = try body.map { try Self.encoder.encode($0) }
        let response = try await send(
            service, method: method, path: path, query: query,
            headers: encoded == nil ? [] : [("Content-Type", "application/json")],
            body: encoded, resource: resource
        )
        if Response.self == EmptyResponse.self { return EmptyResponse() as! Response }
        do {
            return try JSONDecoder().decode(Response.self, from: response.body)
        } catch {
            throw GoogleAPIError(httpStatus: response.status, status: "INTERNAL", message: "unexpected response body: \(error)", resource: resource)
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func queryString(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { "\(percentEncoded($0.0))=\(percentEncoded($0.1))" }.joined(separator: "&")
    }

    /// RFC 3986 percent-encoding of everything but unreserved characters, so `/` in an object
    /// name is encoded too (`a%2Fb.csv`).
    public static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
