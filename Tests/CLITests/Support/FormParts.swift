import Foundation

/// The parts of a small `multipart/form-data` body held in memory, as the scripted server and
/// the tests read what the CLI sent.
struct FormPart: Sendable, Equatable {
    var name: String
    var fileName: String?
    var contentType: String?
    var content: Data

    /// The parts of `body`, sent with content type `contentType`; empty when it is not a form.
    static func parse(_ body: Data, contentType: String?) -> [FormPart] {
        guard let contentType, let range = contentType.range(of: "boundary=") else { return [] }
        let delimiter = Data("--\(contentType[range.upperBound...])".utf8)
        var parts: [FormPart] = []
        var chunks: [Data] = []
        var rest = body[...]
        while let found = rest.range(of: delimiter) {
            chunks.append(Data(rest[rest.startIndex..<found.lowerBound]))
            rest = rest[found.upperBound...]
        }
        for chunk in chunks.dropFirst() {
            guard let split = chunk.range(of: Data("\r\n\r\n".utf8)) else { continue }
            let head = String(decoding: chunk[chunk.startIndex..<split.lowerBound], as: UTF8.self)
            var content = Data(chunk[split.upperBound...])
            if content.suffix(2) == Data("\r\n".utf8) { content.removeLast(2) }
            func parameter(_ key: String) -> String? {
                guard let start = head.range(of: "\(key)=\"") else { return nil }
                return String(head[start.upperBound...].prefix { $0 != "\"" })
            }
            let type = head.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("content-type:") }
                .map { String($0.dropFirst("content-type:".count)).trimmingCharacters(in: .whitespaces) }
            parts.append(FormPart(name: parameter("name") ?? "", fileName: parameter("filename"), contentType: type, content: content))
        }
        return parts
    }
}
