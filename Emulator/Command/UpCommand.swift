import ArgumentParser
import Foundation
import Logging
import Runtime

/// `emulator up`: opens the data directory and serves the emulator's port until interrupted.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start the emulator in the foreground."
    )

    @Option(name: .long, help: "Directory holding the SQLite database and bucket folders.")
    var dataDir: String = ".pixelpipe"

    @Option(name: .long, help: "Address to bind; loopback unless you mean to expose it.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Port for every API and the dashboard.")
    var port: Int = 8085

    @Option(name: .long, help: "Largest request body any API accepts, in bytes (413 above it).")
    var maxRequestBytes: Int = 64 << 20

    @Option(name: .long, help: "Log format: auto, json or text.")
    var logFormat: LogFormat = .automatic

    func run() async throws {
        LoggingSetup.bootstrap(format: logFormat, level: .info, projectID: nil)
        let logger = Logger(label: "emulator")
        let configuration = EmulatorConfiguration(dataDirectory: URL(fileURLWithPath: dataDir), host: host, port: port, maxRequestBytes: maxRequestBytes)
        let store = try EmulatorStore(directory: configuration.dataDirectory)
        try await EmulatorServer.run(configuration: configuration, store: store, logger: logger)
    }
}

extension LogFormat: ExpressibleByArgument {}
