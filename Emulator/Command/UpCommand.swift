import ArgumentParser
import Foundation
import FunctionsFramework
import Logging
import PixelPipeCore

/// `emulator up`: opens the data directory, serves every API on one port, watches the bucket
/// folders, delivers events, starts the pipeline's function binaries and creates its resources.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run the emulator and the pipeline in the foreground (Ctrl-C stops everything)."
    )

    @Option(name: .long, help: "Topology file; 'none' serves the APIs alone. Default: infra/pipeline.yaml when present, else the built-in pipeline.")
    var pipeline: String?

    @Flag(name: .long, help: "Create the pipeline's resources but do not start its function binaries.")
    var noServices = false

    @Flag(name: .long, help: "Run each service as a container of --image (podman, runc, host network, read-only root) instead of a process.")
    var containers = false

    @Option(name: .long, help: "The deployment image for --containers (built by infra/test-container.sh).")
    var image: String = "localhost/pixelpipe:latest"

    @Option(name: .long, help: "Directory holding the SQLite database and bucket folders.")
    var dataDir: String = ".pixelpipe"

    @Option(name: .long, help: "Address to bind; loopback unless you mean to expose it.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Port for every API and the dashboard, 1-65535; 0 picks any free port (the 'emulator listening' line names it).")
    var port: Int = 8085

    @Option(name: .long, help: "Also serve every REST API over HTTPS on this port (0: any free port), with a self-signed certificate kept in DATA/secrets/tls-cert.pem for clients to trust. Off by default.")
    var httpsPort: Int?

    @Option(name: .long, help: "Largest request body any API accepts, in bytes (413 above it).")
    var maxRequestBytes: Int = 64 << 20

    @Option(name: .long, help: "Seconds a deleted or finished task's name is still refused (Cloud Tasks: about an hour).")
    var taskNameRetention: Double = TasksStore.defaultNameRetention.timeInterval

    @Option(name: .long, help: "Seconds between database clean-ups (forgotten task names, expired messages, space given back).")
    var maintenanceInterval: Double = 60

    @Option(name: .long, help: "Log format: auto, json or text.")
    var logFormat: LogFormat = .automatic

    func validate() throws {
        // NIO would take the port modulo 65536 (70000 listens on 4464), so refuse it here.
        guard (0...65535).contains(port) else {
            throw ValidationError("--port \(port) is not a port: use 1-65535, or 0 for any free port")
        }
        if let httpsPort, !(0...65535).contains(httpsPort) {
            throw ValidationError("--https-port \(httpsPort) is not a port: use 1-65535, or 0 for any free port")
        }
        // A year bounds both, so the conversion to Duration cannot overflow.
        let year = 365.0 * 24 * 3600
        guard (0...year).contains(taskNameRetention) else {
            throw ValidationError("--task-name-retention must be between 0 and \(Int(year)) seconds, not \(taskNameRetention).")
        }
        guard maintenanceInterval > 0, maintenanceInterval <= year else {
            throw ValidationError("--maintenance-interval must be above 0 and at most \(Int(year)) seconds, not \(maintenanceInterval).")
        }
    }

    func run() async throws {
        LoggingSetup.bootstrap(format: logFormat, level: .info, projectID: nil)
        let logger = Logger(label: "emulator")
        let topology: Topology?
        do {
            topology = try loadTopology()
        } catch let error as TopologyError {
            throw ValidationError("pipeline file: \(error)")
        }
        var configuration = EmulatorConfiguration(dataDirectory: URL(fileURLWithPath: dataDir), host: host, port: port, maxRequestBytes: maxRequestBytes)
        configuration.httpsPort = httpsPort
        configuration.maintenance.taskNameRetention = .seconds(taskNameRetention)
        configuration.maintenance.interval = .seconds(maintenanceInterval)
        let store = try await Self.openStore(configuration.dataDirectory, logger: logger)
        let lock = try DataDirectoryLock(directory: configuration.dataDirectory)
        defer { withExtendedLifetime(lock) {} }
        do {
            try await EmulatorServer.run(
                configuration: configuration, store: store, topology: topology, startServices: !noServices,
                containers: containers ? ContainerRuntime(image: image, instance: ContainerRuntime.instance(for: configuration.dataDirectory)) : nil,
                colorize: LogSink.standardOutput.isTerminal && logFormat != .json, logger: logger
            )
        } catch {
            throw PortInUseError.translating(error, host: host, port: port, advice: "choose another with --port (0 picks any free port)")
        }
    }

    /// Opens the data directory's store. On a disk too full to open the database at all (WAL
    /// mode needs room for its shared-memory file) it waits, saying so, and opens it once there
    /// is room: nothing is lost by waiting, and a user who frees space needs no second start.
    static func openStore(_ directory: URL, logger: Logger) async throws -> EmulatorStore {
        var waiting = false
        while true {
            do {
                let store = try EmulatorStore(directory: directory)
                if waiting { logger.warning("disk takes writes again: opening the data directory", metadata: ["pixelpipe.data": .string(directory.path)]) }
                return store
            } catch where StoreHealth.diskProblemKind(of: error) != nil {
                if !waiting {
                    logger.error("disk full: waiting for room to open the data directory", metadata: [
                        "pixelpipe.data": .string(directory.path), "pixelpipe.error": .string("\(error)"),
                    ])
                    waiting = true
                }
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// The topology to run: the named file, none, `infra/pipeline.yaml` here, or the built-in one.
    private func loadTopology() throws -> Topology? {
        switch pipeline {
        case "none": return nil
        case let path?: return try TopologyLoader.load(path: path)
        case nil:
            let local = "infra/pipeline.yaml"
            return try TopologyLoader.load(path: FileManager.default.fileExists(atPath: local) ? local : nil)
        }
    }
}

extension LogFormat: ExpressibleByArgument {}
