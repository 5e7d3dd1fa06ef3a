import Foundation
import GoogleCloud

/// A `multipart/form-data` body (RFC 7578) whose file part is streamed from disk: small text
/// fields first, then the file, as the jobs API wants them (`recipe`, `webhookUrl`, then `csv`
/// or `image`). Written by hand because the multipart libraries build bodies in memory, and a
/// 1 GB CSV must go from the file to the socket.
public struct MultipartForm: Sendable {
    /// The boundary between parts: random, so no CSV can contain it by chance.
    public let boundary: String
    private var parts: [HTTPClient.BodyPart] = []

    /// An empty form.
    public init(boundary: String = "pixelpipe-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()) {
        self.boundary = boundary
    }

    /// The request's `Content-Type`.
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// Adds a text field.
    public mutating func field(_ name: String, _ value: String) {
        parts.append(.bytes(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(name))\"\r\n\r\n\(value)\r\n".utf8)))
    }

    /// Adds `file` as part `name`, named by its file name and typed `contentType`.
    public mutating func file(_ name: String, _ file: URL, contentType: String) {
        let header = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(name))\"; filename=\"\(Self.quoted(file.lastPathComponent))\"\r\n"
            + "Content-Type: \(contentType)\r\n\r\n"
        parts.append(.bytes(Data(header.utf8)))
        parts.append(.file(file))
        parts.append(.bytes(Data("\r\n".utf8)))
    }

    /// The body's pieces, closing delimiter included.
    public var body: [HTTPClient.BodyPart] {
        parts + [.bytes(Data("--\(boundary)--\r\n".utf8))]
    }

    /// A quoted-string's content: quotes and line breaks escaped as browsers do (`%22`, `%0D`, `%0A`).
    private static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }
}
