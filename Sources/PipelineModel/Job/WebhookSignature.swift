import Crypto
import Foundation

/// The signature on PixelPipe's webhook calls: `X-PixelPipe-Signature: sha256=<hex HMAC-SHA256
/// of the body with the shared secret>`, so a receiver can tell the call is genuine and the body
/// unchanged.
public enum WebhookSignature {
    /// The header carrying the signature.
    public static let header = "X-PixelPipe-Signature"

    /// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`.
    public static func sign(_ body: Data, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `signature` is the one for `body` under `secret`, compared in constant time.
    public static func isValid(_ signature: String, body: Data, secret: String) -> Bool {
        guard signature.hasPrefix("sha256="), let expected = hexBytes(String(signature.dropFirst("sha256=".count))) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(expected, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        guard text.count == 64 else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
