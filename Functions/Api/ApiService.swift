import Foundation
import FunctionsFramework
import GoogleCloud
import Hummingbird
import Logging
import PipelineModel
import PixelPipeCore
import ServiceLifecycle
import UnixSignals

/// The api service: the jobs API on Hummingbird. Not a `FunctionDefinition` like the stages,
/// because those receive whole bodies and this one streams uploads of hundreds of megabytes
/// straight into Storage. Serving, logging and shutdown follow the stages' conventions
/// (`PORT`, `HOST`, `LOG_*`, SIGTERM drain within `SHUTDOWN_GRACE_PERIOD`).
public enum ApiService {
    /// The application serving `configuration` with `api`'s clients on `host:port`, the tasks of
    /// cancels and retries in the job's trace unless `tracing` is off; `onServerRunning`
    /// receives the bound port (useful with port 0).
    public static func makeApplication(
        configuration: ApiConfiguration, api: GoogleAPIClient, host: String, port: Int, tracing: TracingConfiguration = TracingConfiguration(), logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: ApiRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        let clients = PipelineClients(api: api, configuration: configuration.pipeline)
        ApiRoutes(configuration: configuration, clients: clients, api: api, tracing: tracing).register(on: router)
        ConsoleRoutes(auth: configuration.auth).register(on: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    /// The whole `main` of the `api` binary: `--version`, configuration from the environment
    /// (exit 78 naming the variable when it is bad), logging, then serving until SIGTERM.
    public static func main(arguments: [String] = CommandLine.arguments, environment: [String: String] = ProcessInfo.processInfo.environment) async -> Never {
        if arguments.dropFirst().contains("--version") {
            print(RuntimeVersions.report(binary: "api"))
            exit(0)
        }
        if let argument = arguments.dropFirst().first {
            FileHandle.standardError.write(Data("api: unknown argument '\(argument)'; usage: api [--version] (configured by environment variables such as PORT)\n".utf8))
            exit(64)
        }
        let values = EnvironmentValues(environment)
        let serving: FunctionConfiguration
        let configuration: ApiConfiguration
        let tracing: TracingConfiguration
        do {
            serving = try FunctionConfiguration(service: "api", environment: values)
            configuration = try ApiConfiguration(environment: values)
            tracing = try TracingConfiguration(environment: values)
        } catch {
            FileHandle.standardError.write(Data("api: configuration error: \(error)\n".utf8))
            exit(78)
        }
        LoggingSetup.bootstrap(format: serving.logFormat, level: serving.logLevel, projectID: serving.projectID, tracing: tracing)
        var logger = Logger(label: serving.service)
        if let revision = serving.revision { logger[metadataKey: "pixelpipe.revision"] = .string(revision) }
        let api = GoogleAPIClient(environment: values, logger: logger)
        let serveLogger = logger
        let application = makeApplication(configuration: configuration, api: api, host: serving.host, port: serving.port, tracing: tracing, logger: logger) { port in
            serveLogger.info("serving", metadata: ["pixelpipe.signature": "http", "pixelpipe.port": .stringConvertible(port)])
        }
        var group = ServiceGroupConfiguration(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = serving.shutdownGracePeriod
        group.maximumCancellationDuration = .seconds(2)
        do {
            try await ServiceGroup(configuration: group).run()
        } catch {
            let translated = PortInUseError.translating(error, host: serving.host, port: serving.port, advice: "set PORT to a free port (0 picks one)")
            FileHandle.standardError.write(Data("api: \(translated)\n".utf8))
            exit(1)
        }
        logger.info("stopped")
        exit(0)
    }
}
