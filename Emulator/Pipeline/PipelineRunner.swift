import Foundation
import FunctionsFramework
import GoogleCloud
import Logging
import ServiceLifecycle

/// Brings the pipeline up once the emulator's port is known: settles each service's address
/// (re-pointing stored work from any address that moved), starts the function binaries with
/// the emulator's variables (unless services are disabled), creates the topology's resources,
/// opens the delivery gate, and on shutdown stops the binaries.
struct PipelineRunner: Service {
    let topology: Topology
    let store: EmulatorStore
    let hub: StorageEventHub
    let directory: ServiceDirectory
    /// Opened once the addresses are settled and the services are up.
    let gate: DeliveryGate
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
        if startServices, let containers {
            let tool = try ServiceLauncher(binDirectory: Self.binDirectory, sharedEnvironment: [:]).executable(for: containers.tool)
            try await containers.removeLeftovers(services: supervised.map(\.name), executable: tool)
        }
        let addresses = try await ServiceAddresses(store: store).assign(topology.services, reserved: [port])
        for move in addresses.moves {
            logger.warning("service moved; stored work re-pointed", metadata: [
                "pixelpipe.service": .string(move.service), "pixelpipe.from": .string(move.from), "pixelpipe.to": .string(move.to),
                "pixelpipe.reason": .string(move.reason), "pixelpipe.subscriptions": .stringConvertible(move.subscriptions),
                "pixelpipe.tasks": .stringConvertible(move.tasks),
            ])
        }
        let urls = addresses.urls
        await directory.set(urls, supervised: Set(supervised.map(\.name)), started: startServices)

        // The supervisor's events, applied one at a time in the order they happened.
        let (events, eventSink) = AsyncStream.makeStream(of: SupervisorEvent.self)
        let recorder = Task { await record(events, processes: processes) }
        defer {
            eventSink.finish()
            recorder.cancel()
        }
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
            if let secret = try webhookSecret() { shared["WEBHOOK_SECRET"] = secret }
            // This very binary starts the services, so that they die with it.
            let launcher = ServiceLauncher(binDirectory: Self.binDirectory, sharedEnvironment: shared, containers: containers, trampoline: Self.executable)
            supervisor = Supervisor(launcher: launcher, colorize: colorize, logger: logger, onEvent: { eventSink.yield($0) }) {
                LogSink.standardOutput.write(line: $0)
            }
        }

        let summary: TopologyProvisioner.Summary
        do {
            _ = try await supervisor?.start(supervised, ports: addresses.ports)
            let api = GoogleAPIClient(endpoints: .emulator(base), logger: logger)
            summary = try await TopologyProvisioner(topology: topology, api: api, serviceURLs: urls).provision()
        } catch {
            // Whatever started must not outlive a failed start-up.
            await supervisor?.stop()
            throw error
        }
        gate.open()
        logger.info("pipeline ready", metadata: [
            "pixelpipe.created": .array(summary.created.map { .string($0) }),
            "pixelpipe.services": .dictionary(urls.mapValues { .string($0) }),
        ])

        try? await gracefulShutdown()
        await supervisor?.stop()
    }

    /// The webhook signing key the services get: the one the pipeline file or the emulator's
    /// environment sets, else the data directory's own, generated on first use.
    private func webhookSecret() throws -> String? {
        let configured = topology.env["WEBHOOK_SECRET"] ?? topology.service("teardown")?.env["WEBHOOK_SECRET"]
        if configured != nil { return nil }
        if let inherited = ProcessInfo.processInfo.environment["WEBHOOK_SECRET"], !inherited.isEmpty { return inherited }
        let file = WebhookSecretFile(dataDirectory: store.directory)
        let (secret, created) = try file.readOrCreate()
        logger.notice(created ? "webhook secret generated" : "webhook secret from the data directory", metadata: [
            "pixelpipe.file": .string(file.path.path),
            "pixelpipe.header": "X-PixelPipe-Signature",
        ])
        return secret
    }

    /// Keeps each service's status and process record as the supervisor reports them.
    private func record(_ events: AsyncStream<SupervisorEvent>, processes: ServiceProcesses) async {
        for await event in events {
            switch event {
            case .launched(let launch):
                await directory.launched(launch)
                do {
                    try await processes.record(service: launch.service, pid: launch.pid, executable: launch.executable)
                } catch {
                    logger.error("could not record a service process", metadata: ["pixelpipe.service": .string(launch.service), "pixelpipe.error": "\(error)"])
                }
            case .ready(let service):
                await directory.ready(service)
            case .exited(let service, _):
                await directory.exited(service)
            }
        }
    }

    /// The running emulator binary.
    static var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }

    /// The directory of the running emulator binary, where its sibling function binaries are.
    static var binDirectory: URL {
        executable.deletingLastPathComponent()
    }
}
