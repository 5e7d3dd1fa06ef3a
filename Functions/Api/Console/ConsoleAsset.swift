import Crypto
import Foundation

/// One file of the web console, compiled into the binary. The deploy copies only binaries, so
/// the console's HTML, CSS and JS modules are Swift raw string literals, one source file each
/// (`Console*.swift`), and served from memory.
struct ConsoleAsset: Sendable {
    /// The path it is served at (`/` or `/console/NAME`).
    let path: String
    /// Its `Content-Type`.
    let contentType: String
    /// The text, UTF-8 encoded once.
    let bytes: [UInt8]
    /// A strong validator of the bytes: the first 16 hex digits of their SHA-256, quoted.
    let etag: String

    init(path: String, contentType: String, text: String) {
        self.path = path
        self.contentType = contentType
        bytes = Array(text.utf8)
        etag = "\"" + SHA256.hash(data: bytes).prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined() + "\""
    }
}
