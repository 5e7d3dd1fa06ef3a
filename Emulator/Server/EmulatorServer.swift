import Foundation
import FunctionsFramework
import GoogleCloud
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// The emulator's front: every API and the dashboard share one port, over HTTP/1.1 (REST, the
/// dashboard) and HTTP/2 with prior knowledge (gRPC).
enum EmulatorServer {
    /// Builds the application with every API's route group over `store`.
    static func makeApplication(
        configuration: EmulatorConfiguration, store: EmulatorStore, storage: StorageStore? = nil,
        recent: RecentInvocations? = nil, metrics: EmulatorMetrics? = nil, directory: ServiceDirectory? = nil, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let router = Router()
        if metrics != nil { router.add(middleware: MetricsMiddleware()) }
        router.add(middleware: IdentityCORSMiddleware())
        router.add(middleware: GoogleErrorMiddleware(logger: logger, health: store.health))
        DashboardRoutes(store: store, recent: recent, metrics: metrics, directory: directory).register(on: router)
        router.get("/healthz") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
        let limits = APILimits(maxRequestBytes: configuration.maxRequestBytes)
        let storage = try storage ?? StorageStore(store: store)
        // Signed URLs reach the XML API at /BUCKET/OBJECT, which only the catch-all below sees.
        let storageXML = XMLAPIRoutes(store: storage, verifier: SignedURLVerifier(account: try StorageServiceAccount.loadOrCreate(dataDirectory: store.directory)), limits: limits)
        let stores = GRPCStores(pubSub: PubSubStore(store: store), tasks: TasksStore(store: store), firestore: FirestoreStore(store: store), limits: limits)
        let groups: [any APIRouteGroup] = [
            StorageRoutes(store: storage, limits: limits),
            PubSubRoutes(store: stores.pubSub, limits: limits),
            TasksRoutes(store: stores.tasks, limits: limits),
            FirestoreRoutes(store: stores.firestore, limits: limits),
            try identityRoutes(configuration: configuration, store: store, limits: limits),
        ]
        for group in groups { group.register(on: router) }
        // HEAD too: a signed URL may be for HEAD, which no other route answers at /BUCKET/OBJECT.
        for method in [HTTPRequest.Method.get, .head, .post, .put, .delete, .patch] {
            router.on("**", method: method) { request, context in
                if XMLAPIRoutes.claims(request) { return try await storageXML.handle(request) }
                return try await notServed(request, context)
            }
        }
        let grpc = GRPCEndpoint()
        var services: [any Service] = [
            GRPCServerService(services: GRPCServices.make(stores), endpoint: grpc, maxRequestBytes: configuration.maxRequestBytes, logger: logger),
        ]
        if let httpsPort = configuration.httpsPort {
            services.append(try HTTPSListener.application(
                router: router, host: configuration.host, port: httpsPort,
                certificate: try TLSCertificate.loadOrCreate(dataDirectory: store.directory), logger: logger
            ))
        }
        return Application(
            router: router,
            server: HTTPServerBuilder { responder in SharedPortChannel(http1: HTTP1Channel(responder: responder), grpc: grpc) },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }

    /// Serves until SIGINT/SIGTERM: the APIs, the delivery loops and the database maintenance, and
    /// with a topology the storage triggers, the bucket folder watcher and the pipeline's services.
    static func run(
        configuration: EmulatorConfiguration, store: EmulatorStore, topology: Topology? = nil,
        startServices: Bool = true, containers: ContainerRuntime? = nil, colorize: Bool = false, logger: Logger
    ) async throws {
        let hub = StorageEventHub(triggers: topology?.triggers ?? [], signal: store.workSignal)
        let storage = try StorageStore(store: store, events: hub)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let directory = ServiceDirectory()
        let recent = RecentInvocations()
        let metrics = EmulatorMetrics()
        metrics.bootstrap()
        var applicationConfiguration = configuration
        if let topology { applicationConfiguration.identityProject = topology.project }
        let application = try makeApplication(configuration: applicationConfiguration, store: store, storage: storage, recent: recent, metrics: metrics, directory: directory, logger: logger) { port in
            logger.info("emulator listening", metadata: [
                "pixelpipe.url": .string("http://\(configuration.host):\(port)"),
                "pixelpipe.data": .string(configuration.dataDirectory.path),
            ])
            portContinuation.yield(port)
            portContinuation.finish()
        }
        // With a pipeline, nothing is delivered before its services' addresses are settled.
        let gate = DeliveryGate(open: topology == nil)
        var services: [any Service] = [application]
        services.append(DiskMonitor(store: store, logger: logger))
        services.append(StoreMaintenance(store: store, configuration: configuration.maintenance, logger: logger))
        if let topology {
            services.append(PipelineRunner(
                topology: topology, store: store, hub: hub, directory: directory, gate: gate, emulatorPort: ports,
                startServices: startServices, containers: containers, colorize: colorize, logger: logger
            ))
            services.append(TriggerDeliverer(store: store, serviceURLs: { await directory.all() }, recent: recent, gate: gate, logger: logger))
            services.append(BucketFolderWatcher(storage: storage, logger: logger))
            if colorize {
                services.append(JobProgressReporter(store: store) { LogSink.standardOutput.write(line: "\u{1B}[1m" + $0 + "\u{1B}[0m") })
            }
        }
        // A service group stops its services in reverse order: the delivery loops first, so that
        // nothing is dispatched to stages that are stopping, the HTTP server last, so that stopping
        // stages can still record what they finish.
        services += DeliveryServices.make(store: store, logger: logger, recentInvocations: recent, gate: gate)
        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(10)
        try await ServiceGroup(configuration: group).run()
    }

    /// Identity Toolkit and Secure Token, signing with the data directory's key (made on first use).
    private static func identityRoutes(configuration: EmulatorConfiguration, store: EmulatorStore, limits: APILimits) throws -> IdentityRoutes {
        let key = try IdentitySigningKey.loadOrCreate(dataDirectory: store.directory)
        let service = IdentityService(store: IdentityStore(store: store), tokens: IdentityTokens(key: key))
        return IdentityRoutes(service: service, key: key, defaultProject: configuration.identityProject, limits: limits)
    }

    /// Google-style 404 for paths no API serves.
    @Sendable private static func notServed(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        throw GoogleAPIError.notFound("\(request.method) \(request.uri.path) is not served by this emulator.")
    }
}
