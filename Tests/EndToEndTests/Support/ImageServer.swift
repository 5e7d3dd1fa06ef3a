import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import TestSupport

/// The web the pipeline downloads from in end-to-end tests: `GET /img/N.jpg` answers test
/// image `N` (see `TestImages`) unless a fault is scripted for that path, and every hit is
/// counted per path so tests can tell what was retried and what was not.
final class ImageServer: Sendable {
    /// What a path answers.
    enum Script: Sendable, Equatable {
        /// `status` for the first `times` hits, then the image.
        case failFirst(times: Int, status: Int)
        /// `status` with a short text body, always.
        case status(Int)
        /// 200 with a body that is not an image (an HTML page), always.
        case notAnImage
        /// The image, after `delay`.
        case slow(Duration)
    }

    private let scripts = Mutex<[String: Script]>([:])
    private let hitCounts = Mutex<[String: Int]>([:])
    /// `http://127.0.0.1:PORT`, once serving.
    let baseURL: String

    private init(port: Int, scripts: [String: Script]) {
        baseURL = "http://127.0.0.1:\(port)"
        self.scripts.withLock { $0 = scripts }
    }

    /// The URL of `/img/N.jpg`.
    func url(_ number: Int) -> String { "\(baseURL)/img/\(number).jpg" }

    /// Scripts `path` (e.g. `/img/7.jpg`) from now on.
    func script(_ path: String, _ script: Script) {
        scripts.withLock { $0[path] = script }
    }

    /// Scripts the path of image `number`.
    func script(_ number: Int, _ script: Script) {
        self.script("/img/\(number).jpg", script)
    }

    /// Requests received for `/img/N.jpg` so far.
    func hits(_ number: Int) -> Int { hitCounts.withLock { $0["/img/\(number).jpg"] ?? 0 } }

    /// Requests received per path so far.
    var allHits: [String: Int] { hitCounts.withLock { $0 } }

    /// Serves on a free loopback port for the duration of `body`.
    static func withServer<T: Sendable>(_ body: @Sendable (ImageServer) async throws -> T) async throws -> T {
        let images = try await TestImages.shared.all()
        let holder = Mutex<ImageServer?>(nil)
        let router = Router(context: PeerContext.self)
        router.get("/img/:file") { request, context -> Response in
            guard let server = holder.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            return try await server.answer(path: request.uri.path, file: context.parameters.get("file") ?? "", images: images)
        }
        return try await withTestServer(router) { port in
            let server = ImageServer(port: port, scripts: [:])
            holder.withLock { $0 = server }
            return try await body(server)
        }
    }

    private func answer(path: String, file: String, images: [Data]) async throws -> Response {
        let hit = hitCounts.withLock { counts in
            counts[path, default: 0] += 1
            return counts[path]!
        }
        switch scripts.withLock({ $0[path] }) {
        case .failFirst(let times, let status)? where hit <= times:
            return Self.text("temporarily unavailable (hit \(hit))", status: status)
        case .status(let status)?:
            return Self.text("no such image", status: status)
        case .notAnImage?:
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "<!doctype html><title>Not an image</title><p>Sorry.</p>")))
        case .slow(let delay)?:
            try await Task.sleep(for: delay)
        default:
            break
        }
        guard file.hasSuffix(".jpg"), let number = Int(file.dropLast(4)), number >= 0 else {
            return Self.text("no such image", status: 404)
        }
        var headers = HTTPFields()
        headers[.contentType] = "image/jpeg"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: images[number % images.count])))
    }

    private static func text(_ text: String, status: Int) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
