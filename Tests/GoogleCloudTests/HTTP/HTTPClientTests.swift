import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird
import NIOCore
import PipelineModel
import PixelPipeCore
import Testing
import TestSupport

/// The routes the client is exercised against.
func clientTestRouter() -> Router<PeerContext> {
    let router = Router(context: PeerContext.self)
    router.get("/hello") { _, _ in
        var headers = HTTPFields()
        headers[HTTPField.Name("X-Test")!] = "yes"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "hello world")))
    }
    for method in [HTTPRequest.Method.post, .put, .delete, .patch] {
        router.on("/echo", method: method) { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 64 << 20)
            let custom = request.headers[HTTPField.Name("X-Custom")!] ?? "-"
            return "\(request.method) \(body.readableBytes) bytes custom=\(custom) type=\(request.headers[.contentType] ?? "-")"
        }
    }
    router.get("/status/{code}") { _, context in
        Response(status: .init(code: try context.parameters.require("code", as: Int.self)))
    }
    router.get("/slow") { request, _ in
        let milliseconds = request.uri.queryParameters.get("ms", as: Int.self) ?? 1000
        try await Task.sleep(for: .milliseconds(milliseconds))
        return "slept"
    }
    router.get("/bytes") { request, _ in
        let count = request.uri.queryParameters.get("count", as: Int.self) ?? 0
        let declareLength = request.uri.queryParameters.get("length") == "1"
        let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1000)
        return Response(status: .ok, body: ResponseBody(contentLength: declareLength ? count : nil) { writer in
            var remaining = count
            while remaining > 0 {
                try await writer.write(chunk.getSlice(at: 0, length: min(remaining, 1000))!)
                remaining -= 1000
            }
            try await writer.finish(nil)
        })
    }
    router.get("/peer") { _, context in "\(context.remotePort ?? -1)" }
    return router
}

@Suite("HTTP client (libcurl)")
struct HTTPClientTests {
    @Test("status, headers and body come back as the server sent them")
    func basicExchange() async throws {
        try await withTestServer(clientTestRouter()) { port in
            let client = HTTPClient()
            let response = try await client.get("http://127.0.0.1:\(port)/hello")
            #expect(response.status == 200)
            #expect(response.header("x-test") == "yes")
            #expect(response.header("Content-Length") == "11")
            #expect(String(decoding: response.body, as: UTF8.self) == "hello world")

            let missing = try await client.get("http://127.0.0.1:\(port)/status/404")
            #expect(missing.status == 404)
            let unavailable = try await client.get("http://127.0.0.1:\(port)/status/503")
            #expect(unavailable.status == 503)
        }
    }

    @Test("methods, request headers and bodies reach the server", arguments: ["POST", "PUT", "PATCH", "DELETE"])
    func methodsAndBodies(_ method: String) async throws {
        try await withTestServer(clientTestRouter()) { port in
            let body = Data(repeating: 7, count: 3 << 20)
            let response = try await HTTPClient().execute(.init(
                method: method,
                url: "http://127.0.0.1:\(port)/echo",
                headers: [("X-Custom", "abc"), ("Content-Type", "application/octet-stream")],
                body: body
            ))
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "\(method) \(body.count) bytes custom=abc type=application/octet-stream")
        }
    }

    @Test("a DELETE without a body and a PUT with an empty one are sent as such")
    func emptyBodies() async throws {
        try await withTestServer(clientTestRouter()) { port in
            let client = HTTPClient()
            let delete = try await client.execute(.init(method: "DELETE", url: "http://127.0.0.1:\(port)/echo"))
            #expect(String(decoding: delete.body, as: UTF8.self).hasPrefix("DELETE 0 bytes"))
            let put = try await client.execute(.init(method: "PUT", url: "http://127.0.0.1:\(port)/echo", body: Data()))
            #expect(String(decoding: put.body, as: UTF8.self).hasPrefix("PUT 0 bytes"))
        }
    }

    @Test("a response slower than the total timeout fails with .timeout, which is transient")
    func totalTimeout() async throws {
        try await withTestServer(clientTestRouter()) { port in
            let error = await #expect(throws: HTTPClientError.self) {
                _ = try await HTTPClient().execute(.init(url: "http://127.0.0.1:\(port)/slow?ms=1500", timeout: .milliseconds(200)))
            }
            #expect(error == .timeout)
            #expect(error?.isTransient == true)
        }
    }

    @Test("nobody listening fails with .connectFailed")
    func connectionRefused() async throws {
        let closedPort = try await withTestServer(clientTestRouter()) { port in port }
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await HTTPClient().get("http://127.0.0.1:\(closedPort)/hello")
        }
        #expect(error == .connectFailed)
    }

    @Test("the size cap stops a body with or without Content-Length", arguments: [true, false])
    func sizeCap(_ declareLength: Bool) async throws {
        try await withTestServer(clientTestRouter()) { port in
            var configuration = HTTPClient.Configuration()
            configuration.maxResponseBytes = 10_000
            let client = HTTPClient(configuration: configuration)
            let length = declareLength ? 1 : 0
            let within = try await client.get("http://127.0.0.1:\(port)/bytes?count=10000&length=\(length)")
            #expect(within.body.count == 10_000)

            let error = await #expect(throws: HTTPClientError.self) {
                _ = try await client.get("http://127.0.0.1:\(port)/bytes?count=2000000&length=\(length)")
            }
            #expect(error == .responseTooLarge)
            #expect(error?.isTransient == false)
        }
    }

    @Test("sequential requests to one server reuse one connection")
    func connectionReuse() async throws {
        try await withTestServer(clientTestRouter()) { port in
            let client = HTTPClient()
            var peers: [String] = []
            var newConnections: [Int] = []
            for _ in 0..<5 {
                let response = try await client.get("http://127.0.0.1:\(port)/peer")
                peers.append(String(decoding: response.body, as: UTF8.self))
                newConnections.append(response.newConnections)
            }
            #expect(Set(peers).count == 1, "server saw client ports \(peers)")
            #expect(newConnections == [1, 0, 0, 0, 0])
        }
    }

    @Test("200 concurrent requests all complete")
    func concurrency() async throws {
        try await withTestServer(clientTestRouter()) { port in
            let client = HTTPClient()
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<200 {
                    group.addTask { try await client.get("http://127.0.0.1:\(port)/hello").status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 200)
            #expect(statuses.allSatisfy { $0 == 200 })
        }
    }

    @Test("cancelling the calling task aborts the request")
    func cancellation() async throws {
        try await withTestServer(clientTestRouter()) { port in
            let client = HTTPClient()
            let request = Task { try await client.get("http://127.0.0.1:\(port)/slow?ms=1500") }
            request.cancel()
            let error = await #expect(throws: HTTPClientError.self) { _ = try await request.value }
            #expect(error == .cancelled)
        }
    }

    @Test("schemes other than http and https are refused", arguments: ["ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://127.0.0.1/"])
    func schemes(_ url: String) async {
        let error = await #expect(throws: HTTPClientError.self) { _ = try await HTTPClient().get(url) }
        #expect(error == .unsupportedScheme)
    }

    @Test("header values with line breaks are refused before anything is sent", arguments: [
        ("X-Task", "a\r\nX-Injected: yes"), ("X-Task", "a\nb"), ("X-Bad:Name", "v"), ("X-Nul", "a\u{0}b"),
    ])
    func headerInjection(_ name: String, _ value: String) async {
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await HTTPClient().execute(.init(url: "http://127.0.0.1:9/", headers: [(name, value)]))
        }
        #expect(error == .invalidHeader)
    }
}
