/// Where each service of the pipeline can be reached and how it is doing, shared by the
/// deliverers (URLs) and the dashboard and `emulator status` (everything).
actor ServiceDirectory {
    private var urls: [String: String] = [:]
    private var statuses: [String: ServiceStatus] = [:]

    /// Records the services' URLs; `supervised` names the ones the emulator runs itself, and
    /// `started` says whether it starts them (not with `--no-services`).
    func set(_ urls: [String: String], supervised: Set<String>, started: Bool) {
        self.urls = urls
        for (name, url) in urls {
            let state: ServiceStatus.State = !supervised.contains(name) ? .external : (started ? .starting : .notStarted)
            statuses[name] = ServiceStatus(name: name, url: url, state: state)
        }
    }

    /// Base URL by service name.
    func all() -> [String: String] { urls }

    /// A supervised service's process started (again).
    func launched(_ launch: ServiceLaunch) {
        guard var status = statuses[launch.service] else { return }
        status.pid = launch.pid
        status.revision = launch.revision
        status.restarts = launch.restarts
        status.metricsPort = launch.metricsPort
        status.state = launch.restarts == 0 ? .starting : .restarting
        statuses[launch.service] = status
    }

    /// A supervised service answers `/healthz`.
    func ready(_ service: String) {
        statuses[service]?.state = .ready
    }

    /// A supervised service's process exited; the supervisor restarts it.
    func exited(_ service: String) {
        statuses[service]?.state = .restarting
        statuses[service]?.pid = nil
    }

    /// Every service, by name.
    func snapshot() -> [ServiceStatus] {
        statuses.values.sorted { $0.name < $1.name }
    }
}

/// One service as the dashboard and `emulator status` list it.
struct ServiceStatus: Sendable, Encodable, Equatable {
    enum State: String, Sendable, Encodable {
        /// Started, not yet answering `/healthz`.
        case starting
        case ready
        /// Exited and being started again.
        case restarting
        /// Runs outside the emulator (`url:` in the pipeline file).
        case external
        /// Not started: `emulator up --no-services`.
        case notStarted = "not started"
    }

    var name: String
    var url: String
    var state: State
    var pid: Int32?
    /// `K_REVISION` of the running process (`process-00003`).
    var revision: String?
    /// Restarts since the emulator started.
    var restarts: Int = 0
    /// The loopback port the service serves its metrics on (`METRICS_PORT`), which the
    /// emulator's `/metrics` scrapes.
    var metricsPort: Int?
}

/// A process the supervisor started for a service.
struct ServiceLaunch: Sendable, Equatable {
    var service: String
    var pid: Int32
    var executable: String
    /// `K_REVISION`.
    var revision: String
    /// Restarts of the service before this launch.
    var restarts: Int
    /// `METRICS_PORT`, when the service serves metrics.
    var metricsPort: Int? = nil
}
