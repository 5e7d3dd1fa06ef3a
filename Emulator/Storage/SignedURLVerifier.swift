import Crypto
import CryptoExtras
import Foundation

/// Checks V4 signed URLs (`X-Goog-Algorithm=GOOG4-RSA-SHA256`) as Cloud Storage does: rebuilds
/// the canonical request and string to sign from the request, verifies the RSA-SHA256
/// signature with the emulator's service-account key, and refuses expired URLs.
///
/// Clients put the canonical query string on the wire as they signed it, but disagree on how
/// to encode a space (gcloud `+`, the Python client `%20`), so the wire form is tried first and
/// then each re-encoding; the path likewise as sent and re-encoded.
struct SignedURLVerifier: Sendable {
    let account: StorageServiceAccount
    /// Longest validity Google accepts (7 days).
    static let maxExpires = 604_800

    /// What the signature covers, taken from one request.
    struct SignedRequest: Sendable {
        var method: String
        /// The path as received, still percent-encoded.
        var rawPath: String
        /// The query as received, still percent-encoded.
        var rawQuery: String
        /// Header values by lower-cased name (`host` included).
        var headers: [String: String]
    }

    /// Throws a `SignedURLError` unless `request` carries a valid, unexpired signature.
    func verify(_ request: SignedRequest, now: Date = Date()) throws {
        let pairs = Self.pairs(request.rawQuery)
        func parameter(_ name: String) -> String? { pairs.first { $0.name.lowercased() == name }?.value }
        guard let signature = parameter("x-goog-signature"), let algorithm = parameter("x-goog-algorithm"),
              let credential = parameter("x-goog-credential"), let dateText = parameter("x-goog-date"),
              let expiresText = parameter("x-goog-expires"), let signedHeaders = parameter("x-goog-signedheaders")
        else {
            throw SignedURLError.invalidArgument("A V4 signed URL needs X-Goog-Algorithm, X-Goog-Credential, X-Goog-Date, X-Goog-Expires, X-Goog-SignedHeaders and X-Goog-Signature.")
        }
        guard algorithm == "GOOG4-RSA-SHA256" else {
            throw SignedURLError.invalidArgument("Unsupported X-Goog-Algorithm \(algorithm): the emulator verifies GOOG4-RSA-SHA256 (service-account key) signatures.")
        }
        guard let date = Self.parseDate(dateText) else {
            throw SignedURLError.invalidArgument("Invalid X-Goog-Date \(dateText); expected YYYYMMDD'T'HHMMSS'Z'.")
        }
        guard let expires = Int(expiresText), (1...Self.maxExpires).contains(expires) else {
            throw SignedURLError.invalidArgument("Invalid X-Goog-Expires \(expiresText); it must be 1 to \(Self.maxExpires) seconds.")
        }
        let expiry = date.addingTimeInterval(TimeInterval(expires))
        guard now <= expiry else {
            throw SignedURLError.expired("Request has expired: the URL signed at \(dateText) was valid for \(expires) seconds.")
        }
        let slash = credential.firstIndex(of: "/")
        let scope = slash.map { String(credential[credential.index(after: $0)...]) } ?? ""
        let email = slash.map { String(credential[..<$0]) } ?? credential
        let headerNames = signedHeaders.split(separator: ";").map { $0.lowercased() }
        guard headerNames.contains("host") else {
            throw SignedURLError.invalidArgument("X-Goog-SignedHeaders must include host.")
        }
        let canonicalHeaders = headerNames.map { name in
            "\(name):\(Self.normalizedHeaderValue(request.headers[name] ?? ""))\n"
        }.joined()
        let payload = request.headers["x-goog-content-sha256"] ?? "UNSIGNED-PAYLOAD"
        guard let signatureBytes = Self.hexBytes(signature) else {
            throw SignedURLError.signatureMismatch("X-Goog-Signature is not hex.", stringToSign: nil, canonicalRequest: nil)
        }
        let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: signatureBytes)
        var firstAttempt: (stringToSign: String, canonicalRequest: String)?
        for path in Self.unique([request.rawPath, Self.canonicalPath(request.rawPath)]) {
            for query in Self.unique(Self.canonicalQueries(pairs)) {
                let canonicalRequest = [request.method, path, query, canonicalHeaders, signedHeaders.lowercased(), payload].joined(separator: "\n")
                let hash = SHA256.hash(data: Data(canonicalRequest.utf8)).map { String(format: "%02x", $0) }.joined()
                let stringToSign = ["GOOG4-RSA-SHA256", dateText, scope, hash].joined(separator: "\n")
                if account.publicKey.isValidSignature(rsaSignature, for: SHA256.hash(data: Data(stringToSign.utf8)), padding: .insecurePKCS1v1_5) {
                    return
                }
                if firstAttempt == nil { firstAttempt = (stringToSign, canonicalRequest) }
            }
        }
        let hint = email == account.email ? "" : " The URL was signed for \(email); the emulator verifies \(account.email) (key in DATA/secrets/\(StorageServiceAccount.fileName))."
        throw SignedURLError.signatureMismatch(
            "The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method.\(hint)",
            stringToSign: firstAttempt?.stringToSign, canonicalRequest: firstAttempt?.canonicalRequest)
    }

    /// Whether a query carries a V4 signature (the XML API is served only for those).
    static func isSigned(rawQuery: String?) -> Bool {
        guard let rawQuery else { return false }
        return pairs(rawQuery).contains { $0.name.lowercased() == "x-goog-signature" }
    }

    // MARK: Canonical forms

    private struct Pair {
        var rawName: Substring
        var rawValue: Substring
        var name: String
        var value: String
    }

    private static func pairs(_ rawQuery: String) -> [Pair] {
        rawQuery.split(separator: "&").map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let rawValue = parts.count > 1 ? parts[1] : ""
            return Pair(rawName: parts[0], rawValue: rawValue,
                        name: decode(parts[0]), value: decode(rawValue))
        }
    }

    private static func decode(_ text: Substring) -> String {
        let plain = text.replacingOccurrences(of: "+", with: " ")
        return plain.removingPercentEncodingStrictly() ?? plain
    }

    /// The query without the signature, sorted by name: as received, then re-encoded with
    /// spaces as `%20` and as `+`.
    private static func canonicalQueries(_ pairs: [Pair]) -> [String] {
        let signed = pairs.filter { $0.name.lowercased() != "x-goog-signature" }.sorted { $0.name < $1.name }
        let wire = signed.map { "\($0.rawName)=\($0.rawValue)" }.joined(separator: "&")
        let percent = signed.map { "\($0.name.percentEncodedPathSegment())=\($0.value.percentEncodedPathSegment())" }.joined(separator: "&")
        let plus = signed.map {
            "\($0.name.percentEncodedPathSegment().replacingOccurrences(of: "%20", with: "+"))=\($0.value.percentEncodedPathSegment().replacingOccurrences(of: "%20", with: "+"))"
        }.joined(separator: "&")
        return [wire, percent, plus]
    }

    /// The path with every byte but unreserved characters and `/` percent-encoded.
    static func canonicalPath(_ rawPath: String) -> String {
        let decoded = rawPath.removingPercentEncodingStrictly() ?? rawPath
        return decoded.split(separator: "/", omittingEmptySubsequences: false).map { String($0).percentEncodedPathSegment() }.joined(separator: "/")
    }

    private static func normalizedHeaderValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    private static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    private static func parseDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.date(from: text)
    }

    private static func hexBytes(_ text: String) -> Data? {
        guard text.count % 2 == 0 else { return nil }
        var data = Data(capacity: text.count / 2)
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            data.append(byte)
            index = next
        }
        return data
    }
}

/// A refused signed URL, answered in the XML API's error shape.
struct SignedURLError: Error, Sendable, Equatable {
    /// The XML `<Code>`: `SignatureDoesNotMatch`, `ExpiredToken` or `InvalidArgument`.
    var code: String
    var status: Int
    var details: String
    var stringToSign: String?
    var canonicalRequest: String?

    static func signatureMismatch(_ details: String, stringToSign: String?, canonicalRequest: String?) -> SignedURLError {
        SignedURLError(code: "SignatureDoesNotMatch", status: 403, details: details, stringToSign: stringToSign, canonicalRequest: canonicalRequest)
    }

    /// Cloud Storage answers an expired V4 signature 400 `ExpiredToken` (not 403: the request is
    /// malformed now, whoever signed it).
    static func expired(_ details: String) -> SignedURLError {
        SignedURLError(code: "ExpiredToken", status: 400, details: details)
    }

    static func invalidArgument(_ details: String) -> SignedURLError {
        SignedURLError(code: "InvalidArgument", status: 400, details: details)
    }
}
