import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird
import NIOCore

extension StorageRoutes {
    /// Most calls one batch may carry, as on Google.
    static let maxBatchCalls = 100

    /// `POST /batch/storage/v1`: a `multipart/mixed` body of `application/http` parts, each a
    /// JSON API call (`DELETE /storage/v1/b/B/o/NAME HTTP/1.1`), answered in order by a
    /// `multipart/mixed` body of HTTP responses that keep each part's `Content-ID`.
    func handleBatch(_ request: Request) async throws -> Response {
        guard request.method == .post else { throw Self.unimplemented(request) }
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("multipart/mixed"), let boundary = MultipartRelated.boundary(in: contentType) else {
            throw GoogleAPIError.invalidArgument("A batch request needs Content-Type multipart/mixed with a boundary (got \"\(contentType)\").")
        }
        let parts = MultipartRelated.parts(of: try await collect(request), boundary: boundary)
        guard !parts.isEmpty else { throw GoogleAPIError.invalidArgument("The batch request holds no parts.") }
        guard parts.count <= Self.maxBatchCalls else {
            throw GoogleAPIError.invalidArgument("A batch request may hold at most \(Self.maxBatchCalls) calls (got \(parts.count)).")
        }
        let responseBoundary = "batch_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        var output = Data()
        for part in parts {
            let (headers, embedded) = try MultipartRelated.split(part)
            let (status, responseHeaders, body) = await answer(try BatchCall(embedded, authority: request.head.authority))
            output.append(Data("--\(responseBoundary)\r\nContent-Type: application/http\r\n".utf8))
            if let id = headers["content-id"] {
                let bare = id.trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
                output.append(Data("Content-ID: <response-\(bare)>\r\n".utf8))
            }
            output.append(Data("\r\nHTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n".utf8))
            for field in responseHeaders where field.name != .contentLength {
                output.append(Data("\(field.name.canonicalName): \(field.value)\r\n".utf8))
            }
            output.append(Data("Content-Length: \(body.count)\r\n\r\n".utf8))
            output.append(body)
            output.append(Data("\r\n".utf8))
        }
        output.append(Data("--\(responseBoundary)--\r\n".utf8))
        var headers = HTTPFields()
        headers[.contentType] = "multipart/mixed; boundary=\(responseBoundary)"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: output)))
    }

    /// Runs one embedded call through the JSON API; its failure is its own part's answer.
    private func answer(_ call: BatchCall) async -> (HTTPResponse.Status, HTTPFields, Data) {
        do {
            guard call.path.hasPrefix("/storage/v1/") else {
                throw GoogleAPIError.invalidArgument("A Storage batch can only carry /storage/v1 calls (got \(call.path)).")
            }
            let response = try await handleJSONAPI(call.request)
            let collector = BodyCollector()
            try await response.body.write(CollectingWriter(collector: collector))
            return (response.status, response.headers, collector.data)
        } catch let error as GoogleAPIError {
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=UTF-8"
            return (error.status, headers, Data(error.jsonBody.utf8))
        } catch {
            let error = GoogleAPIError.internal("The emulator failed: \(error)")
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=UTF-8"
            return (error.status, headers, Data(error.jsonBody.utf8))
        }
    }
}

/// One `application/http` part of a batch: a request line, headers and a body. The target may
/// be a path (`/storage/v1/b/B/o/N`) or a whole URL, as the Python client sends it.
struct BatchCall: Sendable {
    var method: HTTPRequest.Method
    /// Path and query.
    var path: String
    var headers: HTTPFields
    var body: Data
    var authority: String?

    init(_ data: Data, authority: String?) throws {
        let (head, body) = Self.splitHead(data)
        var lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\r")) }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        let requestLine = (lines.first ?? "").split(separator: " ")
        guard requestLine.count >= 2, let method = HTTPRequest.Method(String(requestLine[0])) else {
            throw GoogleAPIError.invalidArgument("A batch part does not start with an HTTP request line (got \"\(lines.first ?? "")\").")
        }
        var target = String(requestLine[1])
        if let url = URL(string: target), url.scheme != nil {
            target = url.path(percentEncoded: true) + (url.query(percentEncoded: true).map { "?" + $0 } ?? "")
        }
        var headers = HTTPFields()
        for line in lines.dropFirst() {
            let pair = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, let name = HTTPField.Name(pair[0]) { headers[name] = pair[1] }
        }
        self.method = method
        self.path = target
        self.headers = headers
        self.body = body
        self.authority = authority
    }

    /// The call as a request the JSON API handler takes.
    var request: Request {
        let head = HTTPRequest(method: method, scheme: "http", authority: authority, path: path, headerFields: headers)
        return Request(head: head, body: .init(buffer: ByteBuffer(bytes: body)))
    }

    private static func splitHead(_ data: Data) -> (Data, Data) {
        if let separator = data.range(of: Data("\r\n\r\n".utf8)) ?? data.range(of: Data("\n\n".utf8)) {
            return (data[data.startIndex..<separator.lowerBound], Data(data[separator.upperBound...]))
        }
        return (data, Data())
    }
}

/// Holds the bytes a `CollectingWriter` receives. A class so the writer, which the body
/// consumes, leaves them behind; used by one task at a time.
final class BodyCollector: @unchecked Sendable {
    var data = Data()
}

/// Gathers a response body in memory (batch answers are small JSON bodies).
struct CollectingWriter: ResponseBodyWriter {
    let collector: BodyCollector

    mutating func write(_ buffer: ByteBuffer) async throws {
        collector.data.append(contentsOf: buffer.readableBytesView)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
