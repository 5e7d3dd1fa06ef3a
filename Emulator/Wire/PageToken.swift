import Foundation
import GoogleCloud

/// Opaque `pageToken`s: the sort key of the last item on the previous page, base64url-encoded
/// so clients treat it as opaque and the emulator can resume a keyset scan from it.
enum PageToken {
    static func make(after key: String) -> String {
        Data(key.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    /// The key a token resumes after; 400 when the token was not made here.
    static func key(from token: String?) throws -> String? {
        guard let token, !token.isEmpty else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let key = String(data: data, encoding: .utf8) else {
            throw GoogleAPIError.invalidArgument("Invalid pageToken \"\(token)\".")
        }
        return key
    }

    /// `pageSize` clamped to `1...maximum`, `fallback` when absent or 0.
    static func size(_ requested: Int?, fallback: Int, maximum: Int) throws -> Int {
        guard let requested, requested != 0 else { return fallback }
        guard requested > 0 else { throw GoogleAPIError.invalidArgument("pageSize must not be negative (got \(requested)).") }
        return min(requested, maximum)
    }
}
