import Foundation
import GoogleCloud
import Hummingbird
import Logging

/// Serves a few photos at `/img/N.jpg` (photo N modulo the count) on a free loopback port.
final class ImageServer: Sendable {
    let port: Int
    private let task: Task<Void, any Error>

    init(photos: [Data]) async {
        let router = Router()
        router.get("/img/:name") { _, context -> Response in
            let name = context.parameters.get("name") ?? ""
            guard let number = Int(name.split(separator: ".").first ?? ""), !photos.isEmpty else { return Response(status: .notFound) }
            let photo = photos[number % photos.count]
            return Response(status: .ok, headers: [.contentType: "image/jpeg"], body: .init(byteBuffer: ByteBuffer(bytes: photo)))
        }
        var quiet = Logger(label: "image-server")
        quiet.logLevel = .critical
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                      onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: quiet)
        task = Task { try await application.runService(gracefulShutdownSignals: []) }
        port = await ports.first { _ in true } ?? 0
    }

    func stop() { task.cancel() }
}
