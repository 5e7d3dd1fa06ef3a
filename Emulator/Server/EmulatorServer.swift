import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// The emulator's HTTP front: every API and the dashboard share one port.
enum EmulatorServer {
    /// Builds the application with every API's route group over `store`.
    static func makeApplication(configuration: EmulatorConfiguration, store: EmulatorStore, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: GoogleErrorMiddleware(logger: logger))
        router.get("/healthz") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
        let limits = APILimits(maxRequestBytes: configuration.maxRequestBytes)
        let groups: [any APIRouteGroup] = [
            StorageRoutes(store: try StorageStore(store: store), limits: limits),
            PubSubRoutes(store: PubSubStore(store: store), limits: limits),
            TasksRoutes(store: TasksStore(store: store), limits: limits),
            FirestoreRoutes(store: FirestoreStore(store: store), limits: limits),
        ]
        for group in groups { group.register(on: router) }
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] {
            router.on("**", method: method, use: notServed)
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }

    /// Serves until SIGINT/SIGTERM.
    static func run(configuration: EmulatorConfiguration, store: EmulatorStore, logger: Logger) async throws {
        let application = try makeApplication(configuration: configuration, store: store, logger: logger) { port in
            logger.info("emulator listening", metadata: [
                "pixelpipe.url": .string("http://\(configuration.host):\(port)"),
                "pixelpipe.data": .string(configuration.dataDirectory.path),
            ])
        }
        let services: [any Service] = [application] + DeliveryServices.make(store: store, logger: logger)
        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(10)
        try await ServiceGroup(configuration: group).run()
    }

    /// Google-style 404 for paths no API serves.
    @Sendable private static func notServed(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        throw GoogleAPIError.notFound("\(request.method) \(request.uri.path) is not served by this emulator.")
    }
}
