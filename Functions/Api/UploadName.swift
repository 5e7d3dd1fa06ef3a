import Crypto
import Foundation

/// Where the api service stores an uploaded CSV in the uploads bucket: `api/KEY/FILE.csv`.
/// `KEY` is the hash of the caller's uid and the request's `Idempotency-Key` (so a retried
/// request finds the object it stored before, and two users' keys never meet) or a random id; `FILE.csv` is the user's file name made safe, so the
/// object name shows it and ingest's `.csv` filter takes it.
struct UploadName: Sendable, Equatable {
    /// The folder of this submission, `api/KEY/`.
    let prefix: String
    /// The file name as stored.
    let fileName: String

    /// The name for `owner`'s submission with `idempotencyKey` (or none) of a file called `fileName`.
    init(owner: String, idempotencyKey: String?, fileName: String?, defaultName: String = "upload.csv") {
        let key: String
        if let idempotencyKey {
            key = SHA256.hash(data: Data("\(owner)\n\(idempotencyKey)".utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        } else {
            key = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        }
        prefix = "api/\(key)/"
        self.fileName = Self.safe(fileName, defaultName: defaultName)
    }

    /// The object name.
    var object: String { prefix + fileName }

    /// The last path segment, with anything but letters, digits, `.`, `-` and `_` replaced by
    /// `-`, at most 100 characters, ending in `.csv`.
    static func safe(_ name: String?, defaultName: String) -> String {
        let last = name.flatMap { $0.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) } ?? ""
        var safe = String(last.unicodeScalars.map { scalar -> Character in
            let c = Character(scalar)
            return (scalar.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-" || c == "_")) ? c : "-"
        })
        while safe.hasPrefix(".") { safe.removeFirst() }
        safe = String(safe.prefix(100))
        if safe.isEmpty { return defaultName }
        if !safe.lowercased().hasSuffix(".csv") { safe += ".csv" }
        return safe
    }
}
