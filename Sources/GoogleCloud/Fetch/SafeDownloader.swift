import Foundation

/// Downloads untrusted URLs (source images) within a `DownloadPolicy`: http and https only, a
/// bounded number of redirects each re-checked, connect/total/low-speed timeouts, a size cap
/// enforced while streaming, and the address of every connection vetted as its socket opens —
/// so a name that resolves to 127.0.0.1 or 169.254.169.254 is refused however it was reached.
public struct SafeDownloader: Sendable {
    /// A downloaded body.
    public struct Download: Sendable {
        public var data: Data
        /// `Content-Type` as sent, if any.
        public var contentType: String?
        /// The URL that answered, after redirects.
        public var finalURL: String
    }

    public let policy: DownloadPolicy
    private let client: HTTPClient

    public init(policy: DownloadPolicy = DownloadPolicy()) {
        self.policy = policy
        var configuration = HTTPClient.Configuration()
        configuration.connectTimeout = policy.connectTimeout
        configuration.timeout = policy.timeout
        configuration.maxResponseBytes = policy.maxBytes
        configuration.maxRedirects = policy.maxRedirects
        configuration.lowSpeedLimit = (policy.lowSpeedBytesPerSecond, policy.lowSpeedWindow)
        configuration.addressPolicy = policy.addresses
        self.client = HTTPClient(configuration: configuration)
    }

    /// Fetches `url`, throwing `DownloadError` with the URL and a classified reason.
    public func download(_ url: String) async throws(DownloadError) -> Download {
        try Self.validate(url)
        let response: HTTPClient.Response
        do {
            response = try await client.execute(HTTPClient.Request(method: "GET", url: url, headers: [("Accept", "image/*,*/*;q=0.5")]))
        } catch let error as HTTPClientError {
            throw Self.classify(error, url: url, policy: policy)
        } catch {
            throw DownloadError(.connection, url: url, detail: "\(error)")
        }
        switch response.status {
        case 200..<300:
            return Download(data: response.body, contentType: response.header("Content-Type"), finalURL: response.effectiveURL ?? url)
        case 300..<400:
            throw DownloadError(.tooManyRedirects, url: url, detail: "redirect \(response.status) could not be followed (no usable Location)")
        default:
            throw DownloadError(.httpStatus(response.status), url: url, detail: "the source answered HTTP \(response.status)")
        }
    }

    /// Rejects URLs that are not absolute http(s) URLs with a host, before any connection.
    static func validate(_ url: String) throws(DownloadError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw DownloadError(.invalidURL, url: url, detail: "not a valid absolute URL")
        }
        guard scheme == "http" || scheme == "https" else {
            throw DownloadError(.unsupportedScheme, url: url, detail: "scheme '\(scheme)' is not allowed; only http and https are")
        }
        guard let host = components.host, !host.isEmpty else {
            throw DownloadError(.invalidURL, url: url, detail: "the URL has no host")
        }
    }

    static func classify(_ error: HTTPClientError, url: String, policy: DownloadPolicy) -> DownloadError {
        switch error {
        case .blockedAddress: return DownloadError(.blockedAddress, url: url, detail: error.detail)
        case .responseTooLarge: return DownloadError(.tooLarge, url: url, detail: "larger than the \(policy.maxBytes)-byte limit")
        case .tooManyRedirects: return DownloadError(.tooManyRedirects, url: url, detail: "more than \(policy.maxRedirects) redirects")
        case .unsupportedScheme: return DownloadError(.unsupportedScheme, url: url, detail: "a redirect led to a scheme other than http or https")
        case .invalidURL: return DownloadError(.invalidURL, url: url, detail: error.detail)
        case .timeout: return DownloadError(.timeout, url: url, detail: "timed out or too slow: \(error.detail)")
        case .tls: return DownloadError(.connection, url: url, detail: "TLS failed: \(error.detail)")
        default: return DownloadError(.connection, url: url, detail: error.description)
        }
    }
}
