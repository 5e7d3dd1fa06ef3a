import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird
import NIOCore
import Testing
import TestSupport

@Suite("HTTP client streamed bodies")
struct HTTPClientStreamedBodyTests {
    /// Answers with the method, the declared length and the bytes received, so the test can
    /// compare them with the file.
    private static func router() -> Router<PeerContext> {
        let router = Router(context: PeerContext.self)
        for method in [HTTPRequest.Method.post, .put] {
            router.on("/upload", method: method) { request, _ in
                var request = request
                let body = try await request.collectBody(upTo: 64 << 20)
                let length = request.headers[.contentLength] ?? "-"
                return Response(status: .ok, headers: [.contentType: "application/octet-stream", HTTPField.Name("X-Seen")!: "\(request.method) \(length)"],
                                body: .init(byteBuffer: body))
            }
        }
        return router
    }

    @Test("bytes and files are sent in order with their total length, by POST and by PUT; an empty file adds nothing")
    func sendsTheFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-filebody-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // About 3 MB of varied bytes (a 251-byte run, so no two reads line up with it): many reads
        // of libcurl's upload buffer.
        let run = Data((0..<251).map { UInt8($0) })
        var varied = Data()
        for _ in 0..<12_000 { varied.append(run) }
        let bytes = varied
        let file = directory.appendingPathComponent("body.bin")
        try bytes.write(to: file)
        let empty = directory.appendingPathComponent("empty.bin")
        try Data().write(to: empty)

        try await withTestServer(Self.router()) { port in
            let client = HTTPClient()
            let head = Data("--b\r\nContent-Disposition: form-data; name=\"csv\"\r\n\r\n".utf8)
            let tail = Data("\r\n--b--\r\n".utf8)
            for method in ["POST", "PUT"] {
                let parts: [HTTPClient.BodyPart] = [.bytes(head), .file(file), .file(empty), .bytes(tail)]
                let response = try await client.execute(.init(method: method, url: "http://127.0.0.1:\(port)/upload", streamedBody: parts))
                #expect(response.status == 200)
                #expect(response.header("X-Seen") == "\(method) \(head.count + bytes.count + tail.count)")
                #expect(response.body == head + bytes + tail)
            }
            let none = try await client.execute(.init(method: "POST", url: "http://127.0.0.1:\(port)/upload", streamedBody: [.file(empty)]))
            #expect(none.header("X-Seen") == "POST 0")
            #expect(none.body.isEmpty)
        }
    }

    @Test("a file that cannot be opened fails before anything is sent, naming the path")
    func missingFile() async throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-no-such-\(UUID().uuidString).csv")
        await #expect {
            _ = try await HTTPClient().execute(.init(method: "POST", url: "http://127.0.0.1:9/upload", streamedBody: [.bytes(Data("x".utf8)), .file(missing)]))
        } throws: { error in
            "\(error)".contains(missing.path)
        }
    }
}
