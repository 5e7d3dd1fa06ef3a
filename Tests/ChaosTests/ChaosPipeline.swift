import Foundation
import FunctionsFramework
import GoogleCloud
import Logging
import PipelineModel
import PixelPipeCore
import Synchronization
import TestSupport

/// The pipeline the chaos suite attacks: `emulator up` with the repository's pipeline file (the
/// suite's settings merged into its `env:`), on one port and one data directory for its whole
/// life, so that it can be killed and started again exactly as a user would restart it. The
/// stages are the real binaries the emulator starts.
final class ChaosPipeline: Sendable {
    /// The stage services of the pipeline file.
    static let stages = ["ingest", "populate", "process", "teardown"]

    let dataDirectory: URL
    let pipelineFile: URL
    /// The emulator's port, the same across restarts.
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }
    let clients: PipelineClients
    let configuration: PipelineConfiguration

    private struct State {
        var emulator: ChildProcess?
        /// Every emulator process started, oldest first (for logs on failure).
        var all: [ChildProcess] = []
        /// Stage URLs as the latest emulator reported them ("pipeline ready").
        var serviceURLs: [String: String] = [:]
    }

    private let state = Mutex(State())

    /// The running emulator.
    var emulator: ChildProcess? { state.withLock { $0.emulator } }
    /// Stage URLs as the latest start reported them.
    var serviceURLs: [String: String] { state.withLock { $0.serviceURLs } }

    init(root: URL, dataDirectory: URL, environment: [String: String]) throws {
        self.dataDirectory = dataDirectory
        pipelineFile = try PipelineFile(environment: environment).write(into: root)
        port = LoopbackPort.stable()
        var variables = environment
        variables["GOOGLE_CLOUD_PROJECT"] = "pixelpipe-local"
        variables["STORAGE_EMULATOR_HOST"] = "http://127.0.0.1:\(port)"
        configuration = try PipelineConfiguration(environment: EnvironmentValues(variables))
        var logger = Logger(label: "chaos")
        logger.logLevel = .critical
        clients = PipelineClients(api: GoogleAPIClient(endpoints: .emulator("http://127.0.0.1:\(port)"), logger: logger), configuration: configuration)
    }

    // MARK: Starting and stopping

    /// Starts `emulator up` and waits until its pipeline is ready; returns the services' URLs.
    @discardableResult
    func start() async throws -> [String: String] {
        let emulator = try ChildProcess(
            executable: ChildProcess.binDirectory.appendingPathComponent("emulator"),
            arguments: ["up", "--port", String(port), "--data-dir", dataDirectory.path, "--pipeline", pipelineFile.path, "--log-format", "json"],
            environment: ProcessInfo.processInfo.environment["HOME"].map { ["HOME": $0] } ?? [:]
        )
        state.withLock {
            $0.emulator = emulator
            $0.all.append(emulator)
        }
        let ready = try await emulator.line(where: { $0.contains(#""message":"pipeline ready""#) }, within: .seconds(60), "pipeline ready")
        let object = try JSONSerialization.jsonObject(with: Data(ready.utf8)) as? [String: Any]
        let urls = object?["pixelpipe.services"] as? [String: String] ?? [:]
        guard Set(urls.keys).isSuperset(of: Self.stages) else { throw TestFailure("the emulator reported services \(urls)") }
        state.withLock { $0.serviceURLs = urls }
        return urls
    }

    /// Sends `signal` to the emulator and waits for it to exit.
    func stop(_ signal: Int32) async throws {
        guard let emulator else { return }
        emulator.send(signal)
        _ = try await emulator.exitStatus(within: .seconds(30))
        state.withLock { $0.emulator = nil }
    }

    /// Stops the emulator with `signal` and starts it again at once; returns the time from the
    /// emulator's exit to the new process starting and the services' URLs after.
    func restart(after signal: Int32) async throws -> (gap: Duration, urls: [String: String]) {
        try await stop(signal)
        let exited = ContinuousClock.now
        let pending = Task { try await start() }
        // The new process exists once `start` has launched it.
        while state.withLock({ $0.emulator == nil }) { try await Task.sleep(for: .milliseconds(1)) }
        let gap = ContinuousClock.now - exited
        return (gap, try await pending.value)
    }

    /// Stops whatever runs (SIGTERM, then SIGKILL) and kills any stage left behind.
    func shutdown() async {
        guard let emulator else { return }
        await emulator.stopWithChildren()
        state.withLock { $0.emulator = nil }
    }

    // MARK: Stages

    /// The pid of the running stage `service`, or nil while it is being restarted.
    func pid(of service: String) -> Int32? {
        guard let emulator else { return nil }
        return ProcessTable.children(of: emulator.processIdentifier).first { $0.executable == service }?.pid
    }

    /// SIGKILLs stage `service`; the emulator's supervisor starts it again.
    func killStage(_ service: String) throws {
        guard let pid = pid(of: service) else { throw TestFailure("no running \(service) under the emulator") }
        kill(pid, SIGKILL)
    }

    // MARK: Looking

    /// `/_emulator/status` as JSON, or nil while the emulator does not answer.
    func status() async -> [String: Any]? {
        guard let response = try? await HTTPClient().execute(.init(url: baseURL + "/_emulator/status", timeout: .seconds(5))), response.status == 200 else { return nil }
        return (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
    }

    /// The webhook key the emulator generated for this data directory.
    func webhookSecret() throws -> String {
        try String(contentsOf: dataDirectory.appendingPathComponent("secrets/webhook-secret"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The end of the output of every emulator started, for failure messages.
    func recentLog(_ count: Int = 80) -> String {
        state.withLock { $0.all }.flatMap(\.lines).suffix(count).joined(separator: "\n")
    }

    /// Where an emulator crashed, if one did: the Swift runtime's report from its first line
    /// (the end of the log alone cuts off the crashed thread's frames).
    func crashReport(lines count: Int = 200) -> String? {
        let lines = state.withLock { $0.all }.flatMap(\.lines)
        guard let start = lines.firstIndex(where: { $0.contains("Fatal error") || $0.contains("Program crashed") || $0.contains("Crash at") }) else { return nil }
        return lines[start...].prefix(count).joined(separator: "\n")
    }
}
