import Foundation
import Logging
import Runtime
import ServiceLifecycle

/// Brings the pipeline up once the emulator's port is known: keeps each service on its port,
/// starts the function binaries with the emulator's variables (unless services are disabled),
/// creates the topology's resources, and on shutdown stops the binaries.
struct PipelineRunner: Service {
    let topology: Topology
    let store: EmulatorStore
    let hub: StorageEventHub
    let directory: ServiceDirectory
    /// Yields the emulator's bound port once.
    let emulatorPort: AsyncStream<Int>
    let startServices: Bool
    let colorize: Bool
    let logger: Logger

    func run() async throws {
        var ports = emulatorPort.makeAsyncIterator()
        guard let port = await ports.next() else { return }
        let base = "http://127.0.0.1:\(port)"
        hub.setOrigin(base)

        let supervised = topology.services.filter { $0.url == nil }
        let assigned = try await ServicePorts(store: store).assign(supervised.map(\.name))
        var urls = assigned.mapValues { "http://127.0.0.1:\($0)" }
        for service in topology.services {
            if let url = service.url { urls[service.name] = url.hasSuffix("/") ? String(url.dropLast()) : url }
        }
        await directory.set(urls)

        var supervisor: Supervisor?
        if startServices {
            var shared = ServiceLauncher.emulatorEnvironment(baseURL: base, project: topology.project)
            shared["LOG_FORMAT"] = colorize ? "text" : "json"
            shared["CLOUD_TASKS_LOCATION"] = topology.location
            for (name, url) in urls {
                shared["PIXELPIPE_\(name.uppercased().replacingOccurrences(of: "-", with: "_"))_URL"] = url
            }
            let launcher = ServiceLauncher(binDirectory: Self.binDirectory, sharedEnvironment: shared)
            let started = Supervisor(launcher: launcher, colorize: colorize, logger: logger) { LogSink.standardOutput.write(line: $0) }
            supervisor = started
            _ = try await started.start(supervised, ports: assigned)
        }

        let api = GoogleAPIClient(endpoints: .emulator(base), logger: logger)
        let summary = try await TopologyProvisioner(topology: topology, api: api, serviceURLs: urls).provision()
        logger.info("pipeline ready", metadata: [
            "pixelpipe.created": .array(summary.created.map { .string($0) }),
            "pixelpipe.services": .dictionary(urls.mapValues { .string($0) }),
        ])

        try? await gracefulShutdown()
        await supervisor?.stop()
    }

    /// The directory of the running emulator binary, where its sibling function binaries are.
    static var binDirectory: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }
}
