import PixelPipeCore
/// Why an HTTP exchange produced no response. Cases are static members over a private code so
/// new ones can be added without breaking callers; `description` is safe as a metrics label.
public struct HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible, RetryClassifiedError {
    enum Code: String, Sendable {
        case invalidURL, invalidHeader, unsupportedScheme, resolveFailed, connectFailed, connectionReset, timeout
        case responseTooLarge, tooManyRedirects, blockedAddress, cancelled, tls, transport
    }

    let code: Code
    /// Detail from libcurl or the check that failed (not part of equality).
    public let detail: String

    init(_ code: Code, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }

    /// The URL could not be parsed.
    public static let invalidURL = HTTPClientError(.invalidURL)
    /// A header name or value contains CR, LF or NUL (it would smuggle in other headers).
    public static let invalidHeader = HTTPClientError(.invalidHeader)
    /// The URL's scheme is not allowed (only http and https are).
    public static let unsupportedScheme = HTTPClientError(.unsupportedScheme)
    /// The host name did not resolve.
    public static let resolveFailed = HTTPClientError(.resolveFailed)
    /// No connection could be made.
    public static let connectFailed = HTTPClientError(.connectFailed)
    /// The connection broke mid-exchange or the server sent nothing.
    public static let connectionReset = HTTPClientError(.connectionReset)
    /// The connect timeout, the total timeout or the low-speed limit was hit.
    public static let timeout = HTTPClientError(.timeout)
    /// The response body exceeded the size cap.
    public static let responseTooLarge = HTTPClientError(.responseTooLarge)
    /// More redirects than allowed.
    public static let tooManyRedirects = HTTPClientError(.tooManyRedirects)
    /// The connection's address is not allowed by the address policy.
    public static let blockedAddress = HTTPClientError(.blockedAddress)
    /// The calling task was cancelled.
    public static let cancelled = HTTPClientError(.cancelled)
    /// TLS negotiation or certificate verification failed.
    public static let tls = HTTPClientError(.tls)
    /// Any other libcurl failure.
    public static let transport = HTTPClientError(.transport)

    public static func == (lhs: HTTPClientError, rhs: HTTPClientError) -> Bool { lhs.code == rhs.code }

    /// Whether the same request may succeed later.
    public var isTransient: Bool {
        switch code {
        case .resolveFailed, .connectFailed, .connectionReset, .timeout, .transport: return true
        case .invalidURL, .invalidHeader, .unsupportedScheme, .responseTooLarge, .tooManyRedirects, .blockedAddress, .cancelled, .tls: return false
        }
    }

    public var description: String {
        detail.isEmpty ? code.rawValue : "\(code.rawValue): \(detail)"
    }

    func with(detail: String) -> HTTPClientError { HTTPClientError(code, detail) }
}
