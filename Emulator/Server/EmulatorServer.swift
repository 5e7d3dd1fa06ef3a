import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// The emulator's HTTP front: every API and the dashboard share one port.
enum EmulatorServer {
    /// Builds the application; the APIs arrive route group by route group.
    static func makeApplication(configuration: EmulatorConfiguration, store: EmulatorStore, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
        router.on("**", method: .get, use: notYetServed)
        router.on("**", method: .post, use: notYetServed)
        router.on("**", method: .put, use: notYetServed)
        router.on("**", method: .delete, use: notYetServed)
        router.on("**", method: .patch, use: notYetServed)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }

    /// Serves until SIGINT/SIGTERM.
    static func run(configuration: EmulatorConfiguration, store: EmulatorStore, logger: Logger) async throws {
        let application = makeApplication(configuration: configuration, store: store, logger: logger) { port in
            logger.info("emulator listening", metadata: [
                "pixelpipe.url": .string("http://\(configuration.host):\(port)"),
                "pixelpipe.data": .string(configuration.dataDirectory.path),
            ])
        }
        var group = ServiceGroupConfiguration(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(10)
        try await ServiceGroup(configuration: group).run()
    }

    /// Google-style 501 for API paths whose service is not built yet.
    @Sendable private static func notYetServed(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let message = "\(request.method) \(request.uri.path) is not served by this emulator yet"
        let body = #"{"error":{"code":501,"message":"\#(message)","status":"UNIMPLEMENTED"}}"#
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .notImplemented, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
