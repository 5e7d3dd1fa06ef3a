import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// Builds the HTTP server of a function binary on Hummingbird: `GET /healthz`, the function's
/// routes, and its signature handler for every other path.
public enum FunctionServer {
    /// Methods the signature handler answers on any path (Cloud Tasks may use any of them).
    private static let signatureMethods: [HTTPRequest.Method] = [.post, .put, .patch, .get, .delete]

    /// The application for `function`, tracing its invocations unless `tracing` is off;
    /// `onServerRunning` receives the bound port (useful with port 0).
    public static func makeApplication(
        function: FunctionDefinition,
        configuration: FunctionConfiguration,
        tracing: TracingConfiguration = TracingConfiguration(),
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let dispatcher = InvocationDispatcher(configuration: configuration, tracing: tracing, logger: logger)
        let maxBody = configuration.maxRequestBodyBytes
        let router = Router()
        router.get("/healthz") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
        for route in function.routes {
            let parameterNames = Self.parameterNames(in: route.path)
            router.on(RouterPath(route.path), method: route.method) { request, context in
                var parameters: [String: String] = [:]
                for name in parameterNames { parameters[name] = context.parameters.get(name) }
                return try await serve(request, maxBody: maxBody, parameters: parameters, logger: logger) { invocation in
                    await dispatcher.respond(to: invocation, with: route.handler, signature: .http)
                }
            }
        }
        for method in signatureMethods {
            for path in ["/", "**"] {
                router.on(RouterPath(path), method: method) { request, _ in
                    try await serve(request, maxBody: maxBody, parameters: [:], logger: logger) { invocation in
                        await dispatcher.respond(to: invocation, with: function.handler, signature: function.signature)
                    }
                }
            }
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }

    /// Serves `function` until SIGTERM or SIGINT, then lets in-flight requests finish for up to
    /// `shutdownGracePeriod` before cancelling them. A port already taken is a `PortInUseError`
    /// naming it and, when it can be found, the process holding it.
    /// With `metrics` naming a port, the function's metrics are served there too (`MetricsEndpoint`).
    public static func run(
        function: FunctionDefinition, configuration: FunctionConfiguration, metrics: MetricsConfiguration? = nil,
        tracing: TracingConfiguration = TracingConfiguration(), logger: Logger
    ) async throws {
        let application = makeApplication(function: function, configuration: configuration, tracing: tracing, logger: logger) { port in
            logger.info("serving", metadata: [
                "pixelpipe.signature": .string(function.signature.rawValue),
                "pixelpipe.port": .stringConvertible(port),
            ])
        }
        var services: [any Service] = [application]
        if let metrics, metrics.port != nil, let registry = MetricsEndpoint.bootstrap(metrics) {
            services.append(MetricsEndpoint.makeApplication(registry: registry, configuration: metrics, logger: logger) { port in
                logger.debug("serving metrics", metadata: ["pixelpipe.metrics_port": .stringConvertible(port)])
            })
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownGracePeriod
        groupConfiguration.maximumCancellationDuration = .seconds(2)
        do {
            try await ServiceGroup(configuration: groupConfiguration).run()
        } catch {
            throw PortInUseError.translating(error, host: configuration.host, port: configuration.port, advice: "set PORT to a free port (0 picks one)")
        }
        logger.info("stopped")
    }

    private static func serve(
        _ request: Request,
        maxBody: Int,
        parameters: [String: String],
        logger: Logger,
        respond: (InvocationRequest) async -> InvocationResponse
    ) async throws -> Response {
        logger.debug("request received", metadata: [
            "pixelpipe.method": .string(request.method.rawValue),
            "pixelpipe.path": .string(request.uri.path),
        ])
        var request = request
        let body = try await request.collectBody(upTo: maxBody)
        let invocation = InvocationRequest(
            method: request.method,
            path: request.uri.path,
            query: request.uri.query,
            headers: request.headers,
            body: Data(body.readableBytesView),
            pathParameters: parameters
        )
        let response = await respond(invocation)
        return Response(status: response.status, headers: response.headers, body: .init(byteBuffer: ByteBuffer(bytes: response.body)))
    }

    private static func parameterNames(in path: String) -> [String] {
        path.split(separator: "/").compactMap { segment in
            if segment.hasPrefix("{"), segment.hasSuffix("}") { return String(segment.dropFirst().dropLast()) }
            if segment.hasPrefix(":") { return String(segment.dropFirst()) }
            return nil
        }
    }
}
