import Crypto
import CryptoExtras
import Foundation

/// Makes V4 signed URLs with the emulator's service-account key the way `gcloud storage
/// sign-url` does (GOOG4-RSA-SHA256, `host` the only signed header, unsigned payload): what
/// the emulator can hand out itself, and what its tests check `SignedURLVerifier` against.
struct SignedURLSigner: Sendable {
    let account: StorageServiceAccount

    /// A URL for `method` on `/bucket/object` at `origin` (`http://127.0.0.1:PORT`), valid for
    /// `expires` seconds from `now`.
    func url(method: String, origin: String, bucket: String, object: String, expires: Int, now: Date = Date(), region: String = "auto") throws -> String {
        let path = "/" + bucket + "/" + object.split(separator: "/", omittingEmptySubsequences: false).map { String($0).percentEncodedPathSegment() }.joined(separator: "/")
        let host = origin.components(separatedBy: "://").last ?? origin
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let timestamp = formatter.string(from: now)
        let scope = "\(timestamp.prefix(8))/\(region)/storage/goog4_request"
        let parameters = [
            ("x-goog-algorithm", "GOOG4-RSA-SHA256"), ("x-goog-credential", "\(account.email)/\(scope)"), ("x-goog-date", timestamp),
            ("x-goog-expires", String(expires)), ("x-goog-signedheaders", "host"),
        ]
        let query = parameters.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1.percentEncodedPathSegment())" }.joined(separator: "&")
        let canonicalRequest = [method, path, query, "host:\(host)\n", "host", "UNSIGNED-PAYLOAD"].joined(separator: "\n")
        let hash = SHA256.hash(data: Data(canonicalRequest.utf8)).map { String(format: "%02x", $0) }.joined()
        let stringToSign = ["GOOG4-RSA-SHA256", timestamp, scope, hash].joined(separator: "\n")
        let signature = try account.privateKey.signature(for: SHA256.hash(data: Data(stringToSign.utf8)), padding: .insecurePKCS1v1_5)
        let hex = signature.rawRepresentation.map { String(format: "%02x", $0) }.joined()
        return "\(origin)\(path)?x-goog-signature=\(hex)&\(query)"
    }
}
