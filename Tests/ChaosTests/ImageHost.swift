import Foundation
import FunctionsFramework
import GoogleCloud
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import TestSupport

/// The image host of the chaos suite: serves the repository's example images as
/// `/img/N.EXT` (image `N` modulo their number) on a port that stays the same when the host is
/// taken away and brought back, so the URLs in a job stay valid across an outage.
final class ImageHost: Sendable {
    /// The example images, as (extension, bytes).
    private let images: [(ext: String, bytes: Data)]
    private let hitCount = Mutex(0)
    let port: Int

    init(port: Int = LoopbackPort.stable()) throws {
        let folder = PipelineFile.repositoryFile.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/images")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }.sorted()
        images = try files.map { ($0.hasSuffix(".png") ? "png" : "jpg", try Data(contentsOf: folder.appendingPathComponent($0))) }
        guard !images.isEmpty else { throw TestFailure("no images in \(folder.path)") }
        self.port = port
    }

    /// The URL of image `number`.
    func url(_ number: Int) -> String {
        "http://127.0.0.1:\(port)/img/\(number).\(images[number % images.count].ext)"
    }

    /// Requests answered so far, over every time the host was up.
    var hits: Int { hitCount.withLock { $0 } }

    /// Serves on `port` while `body` runs; afterwards the port refuses connections again.
    func serve<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let router = Router()
        router.get("/img/:file") { [self] _, context -> Response in
            let file = context.parameters.get("file") ?? ""
            guard let number = Int(file.split(separator: ".").first ?? "") else { return Response(status: .notFound) }
            let image = images[number % images.count]
            hitCount.withLock { $0 += 1 }
            var headers = HTTPFields()
            headers[.contentType] = image.ext == "png" ? "image/png" : "image/jpeg"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: image.bytes)))
        }
        return try await withRunningApplication({ onRunning in
            Application(
                router: router,
                configuration: .init(address: .hostname("127.0.0.1", port: port)),
                onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
                logger: quietLogger
            )
        }) { _ in try await body() }
    }
}
