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
    /// Run the services as containers of this runtime's image instead of processes.
    var containers: ContainerRuntime? = nil
    let colorize: Bool
    let logger: Logger

    func run() async throws {
        var ports = emulatorPort.makeAsyncIterator()
        guard let port = await ports.next() else { return }
        let base = "http://127.0.0.1:\(port)"
        hub.setOrigin(base)

        let processes = ServiceProcesses(store: store)
        let stopped = try await processes.stopLeftovers()
        if !stopped.isEmpty {
            logger.warning("stopped services left running by an earlier emulator", metadata: ["pixelpipe.services": .array(stopped.map { .string($0) })])
        }
        let supervised = topology.services.filter { $0.url == nil }
        let assigned = try await ServicePorts(store: store).assign(supervised.map(\.name))
        var urls = assigned.mapValues { "http://127.0.0.1:\($0)" }
        for service in topology.services {
            if let url = service.url { urls[service.name] = url.hasSuffix("/") ? String(url.dropLast()) : url }
        }
        await directory.set(urls)

        var supervisor: Supervisor?
        if startServices {
            // The pipeline file's shared `env:` first; what the emulator must set wins over it.
            var shared = topology.env
            shared.merge(ServiceLauncher.emulatorEnvironment(baseURL: base, project: topology.project)) { _, emulator in emulator }
            shared["LOG_FORMAT"] = colorize ? "text" : "json"
            shared["CLOUD_TASKS_LOCATION"] = topology.location
            for (name, url) in urls {
                shared["PIXELPIPE_\(name.uppercased().replacingOccurrences(of: "-", with: "_"))_URL"] = url
            }
            let launcher = ServiceLauncher(binDirectory: Self.binDirectory, sharedEnvironment: shared, containers: containers)
            let logger = logger
            let started = Supervisor(launcher: launcher, colorize: colorize, logger: logger, onLaunch: { service, pid, executable in
                Task {
                    do {
                        try await processes.record(service: service, pid: pid, executable: executable)
                    } catch {
                        logger.error("could not record a service process", metadata: ["pixelpipe.service": .string(service), "pixelpipe.error": "\(error)"])
                    }
                }
            }) { LogSink.standardOutput.write(line: $0) }
            supervisor = started
        }

        let summary: TopologyProvisioner.Summary
        do {
            _ = try await supervisor?.start(supervised, ports: assigned)
            let api = GoogleAPIClient(endpoints: .emulator(base), logger: logger)
            summary = try await TopologyProvisioner(topology: topology, api: api, serviceURLs: urls).provision()
        } catch {
            // Whatever started must not outlive a failed start-up.
            await supervisor?.stop()
            throw error
        }
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
