import Foundation
import Logging
import PixelPipeCore

/// The whole `main` of a stage binary: `--version`, configuration from the environment,
/// logging, then serving until SIGTERM. Stage executables call this and nothing else.
public enum FunctionMain {
    /// Runs the function built by `makeFunction`; exits with 78 (EX_CONFIG) on bad configuration.
    public static func run(
        name: String,
        arguments: [String] = CommandLine.arguments,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        makeFunction: (FunctionConfiguration, Logger) throws -> FunctionDefinition
    ) async -> Never {
        await run(name: name, arguments: arguments, environment: environment) { configuration, _, logger in
            try makeFunction(configuration, logger)
        }
    }

    /// Runs the function built by `makeFunction` from the serving configuration and the whole
    /// environment (for the stage's own typed configuration); a `ConfigurationError` it throws
    /// exits with 78 (EX_CONFIG) and names the variable.
    public static func run(
        name: String,
        arguments: [String] = CommandLine.arguments,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        makeFunction: (FunctionConfiguration, EnvironmentValues, Logger) throws -> FunctionDefinition
    ) async -> Never {
        if arguments.dropFirst().contains("--version") {
            print(RuntimeVersions.report(binary: name))
            exit(0)
        }
        if let argument = arguments.dropFirst().first {
            FileHandle.standardError.write(Data("\(name): unknown argument '\(argument)'; usage: \(name) [--version] (configured by environment variables such as PORT)\n".utf8))
            exit(64)
        }
        let configuration: FunctionConfiguration
        let metrics: MetricsConfiguration
        let tracing: TracingConfiguration
        do {
            configuration = try FunctionConfiguration(service: name, environment: EnvironmentValues(environment))
            metrics = try MetricsConfiguration(environment: EnvironmentValues(environment))
            tracing = try TracingConfiguration(environment: EnvironmentValues(environment))
        } catch {
            FileHandle.standardError.write(Data("\(name): configuration error: \(error)\n".utf8))
            exit(78)
        }
        LoggingSetup.bootstrap(format: configuration.logFormat, level: configuration.logLevel, projectID: configuration.projectID, tracing: tracing)
        // Before the function is built, so that the metrics its stage makes record into the registry.
        MetricsEndpoint.bootstrap(metrics)
        var logger = Logger(label: configuration.service)
        if let revision = configuration.revision { logger[metadataKey: "pixelpipe.revision"] = .string(revision) }
        let function: FunctionDefinition
        do {
            function = try makeFunction(configuration, EnvironmentValues(environment), logger)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("\(name): configuration error: \(error)\n".utf8))
            exit(78)
        } catch {
            logger.critical("function could not be built", metadata: ["pixelpipe.error": "\(error)"])
            exit(1)
        }
        do {
            try await FunctionServer.run(function: function, configuration: configuration, metrics: metrics, tracing: tracing, logger: logger)
            exit(0)
        } catch let error as PortInUseError {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            exit(1)
        } catch {
            logger.critical("function stopped with an error", metadata: ["pixelpipe.error": "\(error)"])
            exit(1)
        }
    }
}
