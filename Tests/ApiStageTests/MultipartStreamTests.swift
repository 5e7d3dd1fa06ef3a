@testable import ApiStage
import Foundation
import NIOCore
import PipelineModel
import Testing

@Suite("Multipart bodies parsed as they arrive")
struct MultipartStreamTests {
    static let body = "--b\r\nContent-Disposition: form-data; name=\"recipe\"\r\n\r\n{\"formats\":[\"png\"]}\r\n"
        + "--b\r\nContent-Disposition: form-data; name=\"csv\"; filename=\"a;b.csv\"\r\nContent-Type: text/csv\r\n\r\nS. No.,Product Name,Input Image Urls\r\n1,Lamp,http://x/a.jpg\r\n\r\n--b--\r\n"

    /// The body cut into pieces of `size` bytes, as a network might deliver it.
    static func pieces(_ size: Int) -> AsyncStream<ByteBuffer> {
        let bytes = Array(body.utf8)
        return AsyncStream { continuation in
            for start in stride(from: 0, to: bytes.count, by: size) {
                continuation.yield(ByteBuffer(bytes: bytes[start..<min(bytes.count, start + size)]))
            }
            continuation.finish()
        }
    }

    @Test("parts, their names, file names and bytes come out the same however the body is cut", arguments: [1, 7, 4096])
    func parts(_ size: Int) async throws {
        var started: [MultipartStream.Part] = []
        var contents: [String: String] = [:]
        var ends = 0
        try await MultipartStream.parse(Self.pieces(size), boundary: "b") { event in
            switch event {
            case .start(let part): started.append(part)
            case .body(let buffer): contents[started.last!.name, default: ""] += String(buffer: buffer)
            case .end: ends += 1
            }
        }
        #expect(started == [.init(name: "recipe"), .init(name: "csv", fileName: "a;b.csv", contentType: "text/csv")])
        #expect(contents["recipe"] == "{\"formats\":[\"png\"]}")
        #expect(contents["csv"] == "S. No.,Product Name,Input Image Urls\r\n1,Lamp,http://x/a.jpg\r\n")
        #expect(ends == 2)
    }

    @Test("a body cut off before its closing boundary is a 400 naming the body")
    func truncated() async throws {
        let cut = AsyncStream<ByteBuffer> { continuation in
            continuation.yield(ByteBuffer(string: String(Self.body.prefix(120))))
            continuation.finish()
        }
        await #expect {
            try await MultipartStream.parse(cut, boundary: "b") { _ in }
        } throws: { error in
            (error as? Problem)?.field == "body"
        }
    }

    @Test("a multipart content type without a boundary is a 400 naming Content-Type")
    func noBoundary() throws {
        #expect(throws: Problem.self) { try MultipartStream.boundary(of: "multipart/form-data") }
        #expect(try MultipartStream.boundary(of: "multipart/form-data; boundary=\"x y\"") == "x y")
    }
}
