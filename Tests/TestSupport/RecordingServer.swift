import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A request as a recording server received it.
public struct RecordedRequest: Sendable {
    public var method: String
    /// The path exactly as sent, still percent-encoded.
    public var path: String
    public var query: String
    public var headers: [String: String]
    public var body: Data

    /// The body parsed as a JSON object.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
    }
}

/// Records every request it receives and answers with what `respond` says, so client tests can
/// check the exact wire form of what they send.
public final class RecordingServer: Sendable {
    private let recorded = Mutex<[RecordedRequest]>([])
    private let answered = Mutex<[String]>([])

    public init() {}

    /// Everything received so far, in order.
    public var requests: [RecordedRequest] { recorded.withLock { $0 } }

    /// Paths of the requests answered so far (after any delay), in order.
    public var answeredPaths: [String] { answered.withLock { $0 } }

    /// Serves on a free loopback port for the duration of `body`.
    public func run<T: Sendable>(
        respond: @escaping @Sendable (RecordedRequest, Int) -> (status: Int, body: String, headers: [String: String]),
        delay: @escaping @Sendable (RecordedRequest) -> Duration = { _ in .zero },
        _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        let router = Router(context: PeerContext.self)
        let handler: @Sendable (Request, PeerContext) async throws -> Response = { [self] request, _ in
            var request = request
            let bytes = try await request.collectBody(upTo: 64 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let path = String(request.head.path?.split(separator: "?", maxSplits: 1).first ?? "")
            let query = request.head.path?.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
            let entry = RecordedRequest(method: request.method.rawValue, path: path, query: query, headers: headers, body: Data(bytes.readableBytesView))
            let index = recorded.withLock { list in
                list.append(entry)
                return list.count
            }
            let wait = delay(entry)
            if wait > .zero { try? await Task.sleep(for: wait) }
            answered.withLock { $0.append(entry.path) }
            let answer = respond(entry, index)
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            for (name, value) in answer.headers { fields[HTTPField.Name(name)!] = value }
            return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            router.on("/", method: method, use: handler)
            router.on("**", method: method, use: handler)
        }
        return try await withTestServer(router, body)
    }
}
