import PixelPipeCore
/// Why a source image could not be downloaded, classified for the retry policy: permanent
/// errors (bad URL or scheme, blocked address, too large, HTTP 4xx, too many redirects) are
/// recorded as failures; transient ones (timeouts, broken connections, 5xx, 408, 429) are retried.
public struct DownloadError: Error, Sendable, Equatable, CustomStringConvertible, RetryClassifiedError {
    enum Code: Equatable, Sendable {
        case invalidURL, unsupportedScheme, blockedAddress, tooLarge, tooManyRedirects
        case httpStatus(Int)
        case timeout, connection
    }

    let code: Code
    /// The URL that was asked for.
    public let url: String
    /// What went wrong, in words.
    public let detail: String

    init(_ code: Code, url: String, detail: String) {
        self.code = code
        self.url = url
        self.detail = detail
    }

    public static func == (lhs: DownloadError, rhs: DownloadError) -> Bool { lhs.code == rhs.code && lhs.url == rhs.url }

    /// The HTTP status when the source answered with an error status.
    public var httpStatus: Int? {
        if case .httpStatus(let status) = code { return status }
        return nil
    }

    /// Whether the address policy refused the connection.
    public var isBlockedAddress: Bool { code == .blockedAddress }
    /// Whether the size cap was hit.
    public var isTooLarge: Bool { code == .tooLarge }
    /// Whether the URL or its scheme was rejected before any connection.
    public var isInvalidURL: Bool { code == .invalidURL || code == .unsupportedScheme }

    public var isTransient: Bool {
        switch code {
        case .timeout, .connection: return true
        case .httpStatus(let status): return status >= 500 || status == 408 || status == 429
        case .invalidURL, .unsupportedScheme, .blockedAddress, .tooLarge, .tooManyRedirects: return false
        }
    }

    public var description: String { "\(url): \(detail)" }
}
