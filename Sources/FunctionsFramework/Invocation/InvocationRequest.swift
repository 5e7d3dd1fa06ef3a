import Foundation
import HTTPTypes

/// One HTTP request as a function sees it, with the body already read: what the byte-level
/// handler receives. Free of any server framework so decoders are pure functions over it.
public struct InvocationRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: HTTPRequest.Method
    /// The path without the query, e.g. `/jobs/abc`.
    public var path: String
    /// The query string without `?`, if any.
    public var query: String?
    /// Request headers (case-insensitive names).
    public var headers: HTTPFields
    /// The complete body.
    public var body: Data
    /// Values of `{name}` segments of the route that matched.
    public var pathParameters: [String: String]

    public init(
        method: HTTPRequest.Method = .post,
        path: String = "/",
        query: String? = nil,
        headers: HTTPFields = [:],
        body: Data = Data(),
        pathParameters: [String: String] = [:]
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.pathParameters = pathParameters
    }

    /// The first value of header `name`, if present.
    public func header(_ name: String) -> String? {
        HTTPField.Name(name).flatMap { headers[$0] }
    }

    /// The media type of the body, lower-cased and without parameters (`application/json`).
    public var mediaType: String? {
        guard let contentType = headers[.contentType] else { return nil }
        let type = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        let trimmed = String(type).trimmingCharacters(in: .whitespaces).lowercased()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Decoded query items, in order; `+` is not treated as a space (RFC 3986 form).
    public var queryItems: [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            return (name, value)
        }
    }

    /// The first value of query parameter `name`.
    public func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }
}
