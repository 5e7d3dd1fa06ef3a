import Foundation
import GoogleCloud
import Hummingbird
import NIOCore

extension Request {
    /// The whole body, refusing (413, Google-style) more than `limit` bytes.
    func collectBody(limit: Int) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        for try await part in body {
            guard collected.readableBytes + part.readableBytes <= limit else { throw GoogleAPIError.bodyTooLarge(limit: limit) }
            var part = part
            collected.writeBuffer(&part)
        }
        return collected
    }

    /// Decodes the JSON body as `T`; malformed JSON and wrong types become 400 naming the key.
    /// An empty body decodes from `{}` so that calls like `:pause` may omit it.
    func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        let buffer = try await collectBody(limit: limit)
        let data = buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer.readableBytesView)
        return try APIJSON.decode(type, from: data)
    }

    /// The path parsed into decoded segments and a custom verb; 400 when it is not valid UTF-8.
    func apiPath(splitVerb: Bool = true, verbs: Set<String>? = nil) throws -> APIPath {
        guard let path = APIPath(raw: uri.path, splitVerb: splitVerb, verbs: verbs) else {
            throw GoogleAPIError.invalidArgument("The request path \(uri.path) is not valid percent-encoded UTF-8.")
        }
        return path
    }

    /// Query parameters, percent-decoded (names too), repeated names kept in order.
    var apiQuery: APIQuery { APIQuery(raw: uri.query) }

    /// `scheme://host` this request was addressed to, for URLs the emulator hands back.
    var originForLinks: String {
        let host = head.authority ?? "127.0.0.1"
        return "http://\(host)"
    }
}

/// Query parameters of one request. Hand-parsed rather than `uri.queryParameters` because Google
/// clients send repeated names (`updateMask.fieldPaths=a&updateMask.fieldPaths=b`) and
/// encoded names (`%24alt`).
struct APIQuery: Sendable {
    private(set) var pairs: [(name: String, value: String)] = []

    init(raw: String?) {
        guard let raw, !raw.isEmpty else { return }
        for item in raw.split(separator: "&") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).replacingOccurrences(of: "+", with: " ")
            let value = parts.count > 1 ? String(parts[1]).replacingOccurrences(of: "+", with: " ") : ""
            pairs.append((name.removingPercentEncodingStrictly() ?? name, value.removingPercentEncodingStrictly() ?? value))
        }
    }

    /// The first value of `name`.
    subscript(_ name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// Every value of `name`, in order.
    func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    /// `name` as an integer; 400 naming it when present but not one.
    func int(_ name: String) throws -> Int? {
        guard let text = self[name], !text.isEmpty else { return nil }
        guard let value = Int(text) else { throw GoogleAPIError.invalidArgument("Invalid value for query parameter \(name): \"\(text)\" is not an integer.") }
        return value
    }

    /// `name` as an Int64; 400 naming it when present but not one.
    func int64(_ name: String) throws -> Int64? {
        guard let text = self[name], !text.isEmpty else { return nil }
        guard let value = Int64(text) else { throw GoogleAPIError.invalidArgument("Invalid value for query parameter \(name): \"\(text)\" is not an integer.") }
        return value
    }

    /// `name` as a boolean; 400 naming it when present but not `true`/`false`.
    func bool(_ name: String) throws -> Bool? {
        guard let text = self[name], !text.isEmpty else { return nil }
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw GoogleAPIError.invalidArgument("Invalid value for query parameter \(name): \"\(text)\" is not a boolean.")
        }
    }
}
