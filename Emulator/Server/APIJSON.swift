import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON in and out of the APIs: decoding errors that name the offending key, and responses
/// with Google's content type.
enum APIJSON {
    /// Decodes `data` as `T`, mapping `DecodingError` to 400 `INVALID_ARGUMENT` naming the key path.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw GoogleAPIError.invalidArgument(describe(error))
        }
    }

    /// Encodes `value` as a 200 (or `status`) JSON response.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = try encoder.encode(value)
        var headers = extra
        headers[.contentType] = "application/json; charset=UTF-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// An empty JSON object, the body of Google's "done, nothing to say" responses.
    static func emptyResponse() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=UTF-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "{}")))
    }

    /// A message in the style of Google's JSON parse errors, naming the key path.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "(root)" : text)
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "Invalid JSON payload received. The body is not well-formed JSON."
        case .dataCorrupted(let context):
            return "Invalid JSON payload received. Invalid value at '\(path(context.codingPath))': \(context.debugDescription)"
        case .typeMismatch(let type, let context):
            return "Invalid JSON payload received. Invalid value at '\(path(context.codingPath))' (expected \(type))."
        case .valueNotFound(let type, let context):
            return "Invalid JSON payload received. Missing value at '\(path(context.codingPath))' (expected \(type))."
        case .keyNotFound(let key, let context):
            return "Invalid JSON payload received. Missing required field '\(path(context.codingPath + [key]))'."
        @unknown default:
            return "Invalid JSON payload received."
        }
    }
}
