import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import NIOCore
import ServiceLifecycle

/// The gRPC server behind the emulator's port: it listens on an ephemeral loopback port that only
/// `SharedPortChannel` connects to, and stops with the application.
struct GRPCServerService: Service {
    private let server: GRPCServer<MethodNamingTransport<HTTP2ServerTransport.Posix>>
    private let endpoint: GRPCEndpoint
    private let logger: Logger

    init(services: [any RegistrableRPCService], endpoint: GRPCEndpoint, maxRequestBytes: Int, logger: Logger) {
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: "127.0.0.1", port: 0),
            transportSecurity: .plaintext,
            config: .defaults { config in
                // Google's own limits are checked per method (a 10 MB publish); the transport
                // only refuses what no method could take.
                config.rpc.maxRequestPayloadSize = maxRequestBytes
            }
        )
        var router = RPCRouter<MethodNamingTransport<HTTP2ServerTransport.Posix>>()
        for service in services { service.registerMethods(with: &router) }
        self.server = GRPCServer(transport: MethodNamingTransport(inner: transport, served: Set(router.methods)), router: router)
        self.endpoint = endpoint
        self.logger = logger
    }

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.serve() }
                let bound = try await server.transport.inner.listeningAddress
                guard let ipv4 = bound.ipv4 else { throw RPCError(code: .internalError, message: "gRPC listens at \(bound), not IPv4") }
                endpoint.listening(at: try SocketAddress(ipAddress: ipv4.host, port: ipv4.port))
                logger.debug("gRPC server behind the shared port", metadata: ["pixelpipe.grpc": "\(ipv4.host):\(ipv4.port)"])
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}
