import Foundation
import HTTPTypes

/// What a byte-level handler answers: status, headers and a complete body.
public struct InvocationResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var body: Data

    public init(status: HTTPResponse.Status, headers: HTTPFields = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// 204, the answer for a handled event with nothing to say.
    public static var noContent: InvocationResponse { InvocationResponse(status: .noContent) }

    /// A plain-text body.
    public static func text(_ text: String, status: HTTPResponse.Status = .ok) -> InvocationResponse {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return InvocationResponse(status: status, headers: headers, body: Data(text.utf8))
    }

    /// A JSON body encoded from `value` (keys sorted, so responses are stable).
    public static func json<Value: Encodable>(_ value: Value, status: HTTPResponse.Status = .ok) throws -> InvocationResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return InvocationResponse(status: status, headers: headers, body: try encoder.encode(value))
    }
}
