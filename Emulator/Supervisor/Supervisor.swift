import Foundation
import FunctionsFramework
import GoogleCloud
import Logging
import PixelPipeCore
import Synchronization

/// Runs the pipeline's function binaries as child processes, as Cloud Run would run their
/// containers: each on a port of its own with `PORT`, `K_SERVICE`, `K_REVISION` and the
/// `*_EMULATOR_HOST` variables; ready once `/healthz` answers; restarted with backoff when it
/// dies (on the same port, so triggers and subscriptions keep their URLs); its output prefixed
/// with its name; everything stopped with SIGTERM, then SIGKILL after the grace period.
actor Supervisor {
    /// One supervised service.
    private final class Child: @unchecked Sendable {
        let service: Topology.Service
        let executable: URL
        let port: Int
        /// Where the service serves its metrics (`METRICS_PORT`), kept across restarts; nil for
        /// containers, whose other ports are not published.
        let metricsPort: Int?
        var process: Process?
        var revision = 0
        var restarts = 0
        var startedAt = ContinuousClock.now

        init(service: Topology.Service, executable: URL, port: Int, metricsPort: Int?) {
            self.service = service
            self.executable = executable
            self.port = port
            self.metricsPort = metricsPort
        }
    }

    private let launcher: ServiceLauncher
    private let output: @Sendable (String) -> Void
    /// Told of every process started, ready and exited.
    private let onEvent: @Sendable (SupervisorEvent) -> Void
    private let colorize: Bool
    private let logger: Logger
    private let http = HTTPClient()
    private var children: [String: Child] = [:]
    private var stopping = false

    /// `output` receives every line the services print, already prefixed.
    init(
        launcher: ServiceLauncher, colorize: Bool, logger: Logger,
        onEvent: @escaping @Sendable (SupervisorEvent) -> Void = { _ in },
        output: @escaping @Sendable (String) -> Void
    ) {
        self.launcher = launcher
        self.colorize = colorize
        self.logger = logger
        self.onEvent = onEvent
        self.output = output
    }

    /// Starts every service (on `ports[name]`, else a free port) and waits until each answers
    /// `/healthz`; returns their base URLs.
    func start(_ services: [Topology.Service], ports: [String: Int] = [:]) async throws -> [String: String] {
        for (index, service) in services.enumerated() {
            let port = ports[service.name] ?? LoopbackPort.free()
            let metricsPort = launcher.containers == nil ? LoopbackPort.stable(excluding: Set(ports.values).union([port])) : nil
            let child = Child(service: service, executable: try launcher.executable(for: service), port: port, metricsPort: metricsPort)
            children[service.name] = child
            try await launch(child, colorIndex: index)
        }
        for child in children.values {
            try await waitUntilReady(child)
            onEvent(.ready(service: child.service.name))
        }
        return children.mapValues { "http://127.0.0.1:\($0.port)" }
    }

    /// The process id of a service, for tests and status.
    func processIdentifier(of service: String) -> Int32? {
        children[service]?.process?.processIdentifier
    }

    /// How many times a service was restarted since the supervisor started it.
    func restarts(of service: String) -> Int {
        max(0, (children[service]?.revision ?? 1) - 1)
    }

    /// Stops every service: SIGTERM, then SIGKILL for any still running after `grace`.
    func stop(grace: Duration = .seconds(10)) async {
        stopping = true
        let processes = children.values.compactMap(\.process).filter(\.isRunning)
        for process in processes { kill(process.processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        // A detached task keeps waiting even when the caller is being cancelled: children must
        // not outlive the emulator.
        await Task.detached {
            while processes.contains(where: \.isRunning), ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
        }.value
        let stragglers = processes.filter(\.isRunning)
        for process in stragglers {
            logger.warning("service did not stop in time; killing it", metadata: ["pixelpipe.pid": .stringConvertible(process.processIdentifier)])
            kill(process.processIdentifier, SIGKILL)
        }
        if !stragglers.isEmpty {
            await Task.detached {
                let killedAt = ContinuousClock.now
                while stragglers.contains(where: \.isRunning), ContinuousClock.now - killedAt < .seconds(5) {
                    try? await Task.sleep(for: .milliseconds(10))
                }
            }.value
        }
        http.shutdown()
    }

    // MARK: Processes

    private static let colors = ["\u{1B}[36m", "\u{1B}[35m", "\u{1B}[33m", "\u{1B}[32m", "\u{1B}[34m", "\u{1B}[31m"]

    private func launch(_ child: Child, colorIndex: Int) async throws {
        child.revision += 1
        nonisolated(unsafe) let process = Process()
        let command = launcher.command(for: child.service, executable: child.executable, port: child.port, revision: child.revision, metricsPort: child.metricsPort)
        process.executableURL = command.executable
        process.arguments = command.arguments
        process.environment = command.environment
        let name = child.service.name
        let prefix = colorize
            ? "\(Self.colors[colorIndex % Self.colors.count])[\(name)]\u{1B}[0m "
            : "[\(name)] "
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let lines = LineSplitter(prefix: prefix, output: output)
        process.terminationHandler = { [weak self] finished in
            let status = finished.terminationStatus
            Task { await self?.exited(name, status: status, colorIndex: colorIndex) }
        }
        try await SpawnThread.shared.run { try process.run() }
        // Read the output on a thread of its own, not with `readabilityHandler`. That handler is
        // a libdispatch read source (epoll) on a dup of the pipe, the emulator's only
        // descriptor-based dispatch source, and it is torn down at the pipe's end of file, that
        // is whenever a service exits: every SIGTERM shutdown, every crash or kill of a stage.
        // That teardown races the dispatch manager thread's handling of the hang-up on the same
        // descriptor; the emulator died of it now and then (SIGSEGV, "Bad pointer dereference"
        // in `_dispatch_event_loop_drain`, in its hang-up path, on a freed registration) right
        // after its services logged "stopped". A blocking read(2) loop has no dispatch source.
        OutputReader.start(pipe.fileHandleForReading, name: name, lines: lines)
        child.process = process
        child.startedAt = .now
        onEvent(.launched(ServiceLaunch(
            service: name, pid: process.processIdentifier, executable: child.executable.path,
            revision: ServiceLauncher.revision(of: name, number: child.revision), restarts: child.revision - 1,
            metricsPort: child.metricsPort
        )))
        logger.debug("service started", metadata: [
            "pixelpipe.service": .string(name), "pixelpipe.port": .stringConvertible(child.port),
            "pixelpipe.pid": .stringConvertible(process.processIdentifier),
        ])
    }

    private func waitUntilReady(_ child: Child, within limit: Duration = .seconds(30)) async throws {
        let url = "http://127.0.0.1:\(child.port)/healthz"
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let response = try? await http.execute(.init(url: url, timeout: .seconds(1))), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw SupervisorError.notReady(service: child.service.name, reason: "no 200 from \(url) within \(limit)")
    }

    private func exited(_ name: String, status: Int32, colorIndex: Int) async {
        guard !stopping, let child = children[name] else { return }
        onEvent(.exited(service: name, status: status))
        let ranFor = ContinuousClock.now - child.startedAt
        if ranFor > .seconds(30) { child.restarts = 0 }
        let backoff = min(Duration.milliseconds(250) * (1 << min(child.restarts, 7)), .seconds(30))
        child.restarts += 1
        logger.warning("service exited; restarting it", metadata: [
            "pixelpipe.service": .string(name), "pixelpipe.status": .stringConvertible(status),
            "pixelpipe.restart_in_ms": .stringConvertible(backoff.milliseconds),
        ])
        try? await Task.sleep(for: backoff)
        guard !stopping else { return }
        do {
            try await launch(child, colorIndex: colorIndex)
            let revision = child.revision
            Task {
                // Ready again once it answers; a process that dies first is reported by `exited`.
                guard (try? await self.waitUntilReady(child)) != nil, await self.isCurrent(child, revision: revision) else { return }
                self.onEvent(.ready(service: name))
            }
        } catch {
            logger.error("service could not be restarted", metadata: ["pixelpipe.service": .string(name), "pixelpipe.error": "\(error)"])
        }
    }

    private func isCurrent(_ child: Child, revision: Int) -> Bool {
        !stopping && child.revision == revision && child.process?.isRunning == true
    }
}

/// What happened to a supervised service, for whoever keeps its status.
enum SupervisorEvent: Sendable, Equatable {
    /// A process was started (again).
    case launched(ServiceLaunch)
    /// The service answers `/healthz`.
    case ready(service: String)
    /// Its process exited; a restart follows unless the supervisor is stopping.
    case exited(service: String, status: Int32)
}

/// Reads a service's output pipe until end of file on a dedicated thread, with plain blocking
/// read(2) calls, and hands it to `lines`. The thread holds the handle, so its descriptor is
/// closed (when the handle goes) only after the last read.
private enum OutputReader {
    static func start(_ handle: FileHandle, name: String, lines: LineSplitter) {
        let thread = Thread {
            let descriptor = handle.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                lines.append(Data(buffer[0..<count]))
            }
            lines.flush()
            withExtendedLifetime(handle) {}
        }
        thread.name = "pixelpipe-output-\(name)"
        thread.start()
    }
}

/// Splits a child's output into lines and forwards each with a prefix.
private final class LineSplitter: Sendable {
    private let prefix: String
    private let output: @Sendable (String) -> Void
    private let partial = Mutex("")

    init(prefix: String, output: @escaping @Sendable (String) -> Void) {
        self.prefix = prefix
        self.output = output
    }

    func append(_ data: Data) {
        let complete: [String] = partial.withLock { buffer in
            buffer += String(decoding: data, as: UTF8.self)
            var lines: [String] = []
            while let newline = buffer.firstIndex(of: "\n") {
                lines.append(String(buffer[..<newline]))
                buffer = String(buffer[buffer.index(after: newline)...])
            }
            return lines
        }
        for line in complete { output(prefix + line) }
    }

    func flush() {
        let rest = partial.withLock { buffer in
            defer { buffer = "" }
            return buffer
        }
        if !rest.isEmpty { output(prefix + rest) }
    }
}
