import Foundation
import JWTKit

/// A compact JWS split and its header and payload decoded, before any signature check: what
/// the verifier needs to pick the key (`alg`, `kid`) and judge the claims.
struct UnverifiedToken: Sendable {
    let algorithm: String?
    let keyID: String?
    let claims: [String: JSONValue]

    init(_ token: String) throws(IDTokenError) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("not three dot-separated parts") }
        guard case .object(let header)? = Self.json(parts[0]) else { throw .malformed("header is not a JSON object") }
        guard case .object(let claims)? = Self.json(parts[1]) else { throw .malformed("payload is not a JSON object") }
        if case .string(let alg)? = header["alg"] { algorithm = alg } else { algorithm = nil }
        if case .string(let kid)? = header["kid"] { keyID = kid } else { keyID = nil }
        self.claims = claims
    }

    private static func json(_ part: Substring) -> JSONValue? {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// A string claim; nil when absent, `malformed` when of another type.
    func string(_ name: String) throws(IDTokenError) -> String? {
        switch claims[name] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw .malformed("claim \(name) is not a string")
        }
    }

    /// A NumericDate claim (seconds since 1970); nil when absent.
    func seconds(_ name: String) throws(IDTokenError) -> Double? {
        switch claims[name] {
        case nil, .null?: return nil
        case .integer(let value)?: return Double(value)
        case .double(let value)?: return value
        default: throw .malformed("claim \(name) is not a number")
        }
    }

    /// `aud`, which JWT allows to be a string or an array of strings.
    func audiences() throws(IDTokenError) -> [String] {
        switch claims["aud"] {
        case .string(let value)?: return [value]
        case .array(let values)?:
            return values.compactMap { value -> String? in
                guard case .string(let string) = value else { return nil }
                return string
            }
        case nil, .null?: return []
        default: throw .malformed("claim aud is neither a string nor an array")
        }
    }
}
