import Foundation
import MultipartKit
import NIOCore
import PipelineModel

/// A `multipart/form-data` body parsed as it arrives, with multipart-kit's streaming parser:
/// each part's start (its name, file name and type), its bytes as they come, and its end are
/// handed on in order, so a file part can be streamed onwards without being held.
enum MultipartStream {
    /// What the parser found.
    enum Event {
        case start(Part)
        case body(ByteBuffer)
        case end
    }

    /// A part's headers, as far as a form needs them.
    struct Part: Sendable, Equatable {
        var name: String
        var fileName: String?
        var contentType: String?
    }

    /// The boundary of a `multipart/form-data` content type, or a 400 naming `Content-Type`.
    static func boundary(of contentType: String) throws(Problem) -> String {
        guard let boundary = HeaderParameters.value(of: "boundary", in: contentType), !boundary.isEmpty, boundary.count <= 70 else {
            throw Problem.invalid("Content-Type", "multipart/form-data needs a boundary parameter of 1 to 70 characters")
        }
        return boundary
    }

    /// Parses `body`, handing each event to `handle` in order; a body that is not multipart or
    /// ends inside a part is a 400 naming the body.
    static func parse<Body: AsyncSequence>(
        _ body: Body, boundary: String, handle: (Event) async throws -> Void
    ) async throws where Body.Element == ByteBuffer {
        let collector = Collector()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in collector.headers.append((name, value)) }
        parser.onBody = { buffer in
            collector.startIfNeeded()
            collector.events.append(.body(buffer))
        }
        parser.onPartComplete = {
            collector.startIfNeeded()
            collector.events.append(.end)
            collector.headers = []
            collector.open = false
            collector.completed += 1
        }
        // The closing delimiter, CRLF "--" boundary "--", which part contents cannot hold (a
        // boundary is defined as not occurring in them); looked for across pieces in a window.
        let closing = Array("\r\n--\(boundary)--".utf8)
        var window: [UInt8] = []
        var closed = false
        for try await buffer in body {
            do {
                try parser.execute(buffer)
            } catch {
                throw Problem.invalid("body", "the body is not valid multipart/form-data with boundary '\(boundary)': \(error)")
            }
            if !closed {
                window.append(contentsOf: buffer.readableBytesView)
                closed = Self.contains(window, closing)
                window.removeFirst(max(0, window.count - closing.count))
            }
            let events = collector.events
            collector.events = []
            for event in events { try await handle(event) }
        }
        if !closed || collector.open || collector.completed == 0 {
            throw Problem.invalid("body", "the multipart/form-data body ended before its closing boundary")
        }
    }

    /// Whether `bytes` holds `pattern` (which starts with CR): only the positions of a CR are
    /// compared, so a piece of a large upload costs about one pass over its bytes.
    private static func contains(_ bytes: [UInt8], _ pattern: [UInt8]) -> Bool {
        guard bytes.count >= pattern.count, let first = pattern.first else { return false }
        return bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            let last = buffer.count - pattern.count
            while start <= last {
                if buffer[start] == first {
                    var matched = 1
                    while matched < pattern.count, buffer[start + matched] == pattern[matched] { matched += 1 }
                    if matched == pattern.count { return true }
                }
                start += 1
            }
            return false
        }
    }

    /// Where the parser's callbacks put what they find.
    private final class Collector {
        var headers: [(String, String)] = []
        var events: [Event] = []
        var open = false
        var completed = 0

        func startIfNeeded() {
            guard !open else { return }
            open = true
            var part = Part(name: "")
            for (name, value) in headers {
                switch name.lowercased() {
                case "content-disposition":
                    part.name = HeaderParameters.value(of: "name", in: value) ?? ""
                    part.fileName = HeaderParameters.value(of: "filename", in: value)
                case "content-type":
                    part.contentType = value
                default:
                    break
                }
            }
            events.append(.start(part))
        }
    }
}

/// Parameters of a header value such as `form-data; name="csv"; filename="a.csv"` or
/// `multipart/form-data; boundary=x`.
enum HeaderParameters {
    /// The value of parameter `name` (case-insensitive), unquoted.
    static func value(of name: String, in header: String) -> String? {
        for parameter in split(header).dropFirst() {
            guard let equals = parameter.firstIndex(of: "=") else { continue }
            let key = parameter[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            guard key == name.lowercased() else { continue }
            var value = parameter[parameter.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            return value
        }
        return nil
    }

    /// Splits at `;` outside quotes.
    private static func split(_ header: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in header {
            if escaped { current.append(character); escaped = false; continue }
            if character == "\\" && quoted { escaped = true; current.append(character); continue }
            if character == "\"" { quoted.toggle() }
            if character == ";" && !quoted { parts.append(current); current = ""; continue }
            current.append(character)
        }
        parts.append(current)
        return parts
    }
}
