import Foundation
import PixelPipeCore

extension HTTPClient {
    /// One request. Headers keep their order and may repeat.
    public struct Request: Sendable {
        public var method: String
        public var url: String
        public var headers: [(name: String, value: String)]
        public var body: Data?
        /// A body sent in pieces, files read as they are sent, so a large upload is never held
        /// in memory (a multipart form around a 1 GB CSV, say); used instead of `body` when set.
        public var streamedBody: [BodyPart]?
        /// Overrides the client's total timeout for this request.
        public var timeout: Duration?
        /// Overrides the client's response size cap for this request.
        public var maxResponseBytes: Int?

        public init(
            method: String = "GET",
            url: String,
            headers: [(name: String, value: String)] = [],
            body: Data? = nil,
            streamedBody: [BodyPart]? = nil,
            timeout: Duration? = nil,
            maxResponseBytes: Int? = nil
        ) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
            self.streamedBody = streamedBody
            self.timeout = timeout
            self.maxResponseBytes = maxResponseBytes
        }
    }

    /// A piece of a streamed request body.
    public enum BodyPart: Sendable, Equatable {
        /// Bytes held in memory (a multipart boundary and headers, say).
        case bytes(Data)
        /// A file's whole content, read as it is sent; its size is taken when the request starts.
        case file(URL)
    }

    /// A complete response.
    public struct Response: Sendable {
        public var status: Int
        /// Headers of the final response, in order.
        public var headers: [(name: String, value: String)]
        public var body: Data
        /// The URL that answered, after redirects.
        public var effectiveURL: String?
        /// New connections this exchange opened; 0 means an existing one was reused.
        public var newConnections: Int

        /// The first value of header `name`, compared case-insensitively.
        public func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    /// Limits and defaults applying to every request.
    public struct Configuration: Sendable {
        /// Time allowed to establish a connection.
        public var connectTimeout: Duration = .seconds(10)
        /// Time allowed for the whole exchange.
        public var timeout: Duration = .seconds(60)
        /// Largest response body accepted; enforced while receiving.
        public var maxResponseBytes: Int = 256 << 20
        /// Redirects followed (0: redirects are returned as responses).
        public var maxRedirects: Int = 0
        /// Abort when fewer than `bytesPerSecond` arrive for `duration` (nil: no limit).
        public var lowSpeedLimit: (bytesPerSecond: Int, duration: Duration)?
        /// Addresses connections may be opened to, checked as each socket opens (every redirect
        /// hop included); nil allows any.
        public var addressPolicy: AddressPolicy?
        /// Idle connections kept for reuse.
        public var maxIdleConnections: Int = 64
        /// `User-Agent` sent with every request.
        public var userAgent: String = "PixelPipe/\(PixelPipeVersion.current)"

        public init() {}
    }
}
