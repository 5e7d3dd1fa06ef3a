import Foundation

/// PixelPipe's one HTTP client, over libcurl: async request/response with connect and total
/// timeouts, a response size cap enforced while receiving, and connection reuse. All curl work
/// runs on one dedicated thread per client (see `CurlMultiLoop`).
///
/// libcurl rather than async-http-client: the downloader needs `CURLOPT_OPENSOCKETFUNCTION` to
/// vet the connected address of every hop, which no Swift client exposes, and the stages then
/// need no second HTTP stack.
public final class HTTPClient: Sendable {
    /// Limits applied to every request.
    public let configuration: Configuration
    private let loop: CurlMultiLoop

    /// A client shared by code that has no reason to tune its own.
    public static let shared = HTTPClient()

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.loop = CurlMultiLoop(maxIdleConnections: configuration.maxIdleConnections)
    }

    /// Stops the client's thread; in-flight requests fail with `.cancelled`. Also done on deinit.
    public func shutdown() {
        loop.shutdown()
    }

    deinit {
        loop.shutdown()
    }

    /// Performs `request`, returning any HTTP status as a response; throws `HTTPClientError`
    /// when no response could be had.
    public func execute(_ request: Request) async throws -> Response {
        let transfer = try CurlTransfer(request, configuration: configuration)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if transfer.attach(continuation) {
                    loop.submit(transfer)
                } else {
                    continuation.resume(throwing: HTTPClientError.cancelled)
                }
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    /// `GET url`.
    public func get(_ url: String, headers: [(name: String, value: String)] = []) async throws -> Response {
        try await execute(Request(method: "GET", url: url, headers: headers))
    }
}
