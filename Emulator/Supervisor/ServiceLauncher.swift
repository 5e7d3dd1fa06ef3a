import Foundation
import GoogleCloud

/// How the supervisor starts one service: which executable, with which environment.
struct ServiceLauncher: Sendable {
    /// Where the emulator's sibling binaries are (the directory of the running executable).
    var binDirectory: URL
    /// Variables every service gets: the emulator hosts, the project, the log format.
    var sharedEnvironment: [String: String]
    /// When set, services run as containers of this runtime's image instead of processes.
    var containers: ContainerRuntime?
    /// The emulator binary that starts each service through `exec-service`, so the kernel kills
    /// it when the emulator dies, however it dies (SIGKILL included); nil starts them directly.
    var trampoline: URL?

    /// A launcher whose services die with the emulator binary `trampoline` (by default the
    /// `emulator` in `binDirectory`, when there is one: in-process tests run the supervisor
    /// without being that binary).
    init(binDirectory: URL, sharedEnvironment: [String: String], containers: ContainerRuntime? = nil, trampoline: URL?? = nil) {
        self.binDirectory = binDirectory
        self.sharedEnvironment = sharedEnvironment
        self.containers = containers
        let sibling = binDirectory.appendingPathComponent("emulator")
        self.trampoline = trampoline ?? (FileManager.default.isExecutableFile(atPath: sibling.path) ? sibling : nil)
    }

    /// What to start for one service.
    struct Command: Equatable {
        var executable: URL
        var arguments: [String]
        var environment: [String: String]
    }

    /// The command that runs `service` on `port` as revision `revision`: the binary itself, or
    /// the container tool running it from the image. `metricsPort` is where it serves its metrics.
    func command(for service: Topology.Service, executable: URL, port: Int, revision: Int, metricsPort: Int? = nil) -> Command {
        let environment = environment(for: service, port: port, revision: revision, metricsPort: metricsPort)
        guard let containers else {
            return diesWithEmulatorCommand(Command(executable: executable, arguments: [], environment: environment))
        }
        // The tool needs the host's own variables (HOME, XDG_RUNTIME_DIR for rootless podman);
        // the container gets only the service's.
        var toolEnvironment = ProcessInfo.processInfo.environment
        toolEnvironment.merge(environment) { _, service in service }
        let passed = environment.keys.filter { !Self.hostOnly.contains($0) }
        return diesWithEmulatorCommand(Command(
            executable: executable, arguments: containers.arguments(service: service.name, port: port, binary: service.binary, variables: passed),
            environment: toolEnvironment
        ))
    }

    /// `command` run through `emulator exec-service --parent PID --`, when there is a trampoline.
    private func diesWithEmulatorCommand(_ command: Command) -> Command {
        guard let trampoline else { return command }
        return Command(
            executable: trampoline,
            arguments: ["exec-service", "--parent", String(getpid()), "--", command.executable.path] + command.arguments,
            environment: command.environment
        )
    }

    /// Variables of the host that a container does not get.
    private static let hostOnly: Set<String> = ["PATH", "HOME", "LANG", "TZ"]

    /// The executable the supervisor starts for `service`: its binary, or the container tool.
    func executable(for service: Topology.Service) throws -> URL {
        try executable(for: containers?.tool ?? service.binary)
    }

    /// The executable for `binary`: next to the emulator, else on PATH.
    func executable(for binary: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) throws -> URL {
        let sibling = binDirectory.appendingPathComponent(binary)
        if FileManager.default.isExecutableFile(atPath: sibling.path) { return sibling }
        for directory in (path ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(binary)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw SupervisorError.binaryNotFound(binary: binary, searched: binDirectory.path)
    }

    /// The full environment of `service` on `port`, revision number `revision`, serving its
    /// metrics on `metricsPort` (loopback) when given.
    func environment(for service: Topology.Service, port: Int, revision: Int, metricsPort: Int? = nil) -> [String: String] {
        var environment: [String: String] = [:]
        // PIXELPIPE_METRICS and PIXELPIPE_TRACING too: `PIXELPIPE_METRICS=off PIXELPIPE_TRACING=off
        // emulator up` turns every service's metrics and tracing off (the benchmarks compare a run
        // with and without them).
        for key in ["PATH", "HOME", "LANG", "TZ", "PIXELPIPE_METRICS", "PIXELPIPE_TRACING"] {
            if let value = ProcessInfo.processInfo.environment[key] { environment[key] = value }
        }
        environment.merge(sharedEnvironment) { _, new in new }
        environment.merge(service.env) { _, new in new }
        environment["PORT"] = String(port)
        environment["HOST"] = "127.0.0.1"
        environment["K_SERVICE"] = service.name
        environment["K_REVISION"] = Self.revision(of: service.name, number: revision)
        if let metricsPort, service.env["METRICS_PORT"] == nil {
            environment["METRICS_PORT"] = String(metricsPort)
            environment["METRICS_HOST"] = "127.0.0.1"
        }
        return environment
    }

    /// `K_REVISION` of launch number `number` of `service`, as Cloud Run names revisions.
    static func revision(of service: String, number: Int) -> String {
        "\(service)-\(String(format: "%05d", number))"
    }

    /// The variables that point every Google client at the emulator on `baseURL`.
    static func emulatorEnvironment(baseURL: String, project: String) -> [String: String] {
        let hostPort = baseURL.replacingOccurrences(of: "http://", with: "")
        return [
            "STORAGE_EMULATOR_HOST": baseURL,
            "PUBSUB_EMULATOR_HOST": hostPort,
            "CLOUD_TASKS_EMULATOR_HOST": hostPort,
            "FIRESTORE_EMULATOR_HOST": hostPort,
            // Identity (the api service verifies its users' tokens against the emulator's keys).
            "FIREBASE_AUTH_EMULATOR_HOST": hostPort,
            "GOOGLE_CLOUD_PROJECT": project,
        ]
    }
}

/// Why the supervisor could not run a service.
enum SupervisorError: Error, Equatable, CustomStringConvertible {
    case binaryNotFound(binary: String, searched: String)
    case notReady(service: String, reason: String)

    var description: String {
        switch self {
        case .binaryNotFound(let binary, let searched):
            "binary '\(binary)' was found neither in \(searched) nor on PATH; build it with `swift build`"
        case .notReady(let service, let reason):
            "service '\(service)' did not become ready: \(reason)"
        }
    }
}
