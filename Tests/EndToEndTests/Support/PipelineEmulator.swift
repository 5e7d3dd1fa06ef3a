import Foundation
import GoogleCloud
import Logging
import PipelineModel
import PixelPipeCore
import TestSupport

/// `emulator up` as a child process running the real pipeline: the repository's topology with
/// the test's settings (`PipelineFile`), its own data directory, a free port, JSON logs. It
/// starts the four stage binaries found next to it, exactly as a user's `scripts/run` does.
/// Use it through `withPipelineEmulator`, which always stops it and its stages.
final class PipelineEmulator: Sendable {
    /// The four stage services of the pipeline file.
    static let stages = ["ingest", "populate", "process", "teardown"]

    let child: ChildProcess
    /// The emulator's base URL (`http://127.0.0.1:PORT`): every API and the dashboard.
    let baseURL: String
    /// Base URL of each stage service, as the emulator reported it ("pipeline ready").
    let serviceURLs: [String: String]
    let dataDirectory: URL
    /// The settings every stage runs with (the project, buckets, queues, recipe, limits).
    let configuration: PipelineConfiguration
    /// Storage, Pub/Sub, Cloud Tasks and Firestore clients pointed at the emulator.
    let clients: PipelineClients

    /// Starts the emulator with `pipelineFile` on `dataDirectory` and waits until it listens and
    /// its pipeline is ready (every stage answered `/healthz` and every resource exists).
    init(pipelineFile: URL, dataDirectory: URL, environment: [String: String]) async throws {
        child = try ChildProcess(
            executable: ChildProcess.binDirectory.appendingPathComponent("emulator"),
            arguments: ["up", "--port", "0", "--data-dir", dataDirectory.path, "--pipeline", pipelineFile.path, "--log-format", "json"],
            environment: ProcessInfo.processInfo.environment["HOME"].map { ["HOME": $0] } ?? [:]
        )
        self.dataDirectory = dataDirectory
        do {
            let listening = try await child.line(where: { $0.contains(#""message":"emulator listening""#) }, within: .seconds(30), "emulator listening")
            baseURL = try Self.field("pixelpipe.url", of: listening) as? String ?? ""
            let ready = try await child.line(where: { $0.contains(#""message":"pipeline ready""#) }, within: .seconds(60), "pipeline ready")
            serviceURLs = try Self.field("pixelpipe.services", of: ready) as? [String: String] ?? [:]
            guard baseURL.hasPrefix("http://"), Set(serviceURLs.keys).isSuperset(of: Self.stages) else {
                throw TestFailure("emulator reported url '\(baseURL)' and services \(serviceURLs)")
            }
            var variables = environment
            variables["GOOGLE_CLOUD_PROJECT"] = variables["GOOGLE_CLOUD_PROJECT"] ?? "pixelpipe-local"
            variables["STORAGE_EMULATOR_HOST"] = baseURL
            configuration = try PipelineConfiguration(environment: EnvironmentValues(variables))
            var logger = Logger(label: "e2e")
            logger.logLevel = .warning
            clients = PipelineClients(api: GoogleAPIClient(endpoints: .emulator(baseURL), logger: logger), configuration: configuration)
        } catch {
            Self.terminate(child)
            throw error
        }
    }

    private static func field(_ key: String, of line: String) throws -> Any? {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return object?[key]
    }

    // MARK: Stage processes

    /// The pid of the running stage `service` (a child of the emulator running that binary),
    /// or nil while the supervisor is restarting it.
    func pid(of service: String) -> Int32? {
        ProcessTable.children(of: child.processIdentifier).first { $0.executable == service }?.pid
    }

    /// The pids of the four stages now.
    func stagePIDs() -> [String: Int32] {
        var pids: [String: Int32] = [:]
        for service in Self.stages { pids[service] = pid(of: service) }
        return pids
    }

    /// SIGKILLs stage `service` and waits until the supervisor has started it again and the new
    /// process answers `/healthz`; returns the new pid.
    @discardableResult
    func killStage(_ service: String, within limit: Duration = .seconds(30)) async throws -> Int32 {
        guard let old = pid(of: service) else { throw TestFailure("no running \(service) process under the emulator") }
        kill(old, SIGKILL)
        let http = HTTPClient()
        return try await eventually("\(service) restarted by the supervisor", within: limit) { () -> Int32? in
            guard let new = pid(of: service), new != old,
                  let health = try? await http.execute(.init(url: serviceURLs[service]! + "/healthz", timeout: .seconds(1))),
                  health.status == 200 else { return nil }
            return new
        }
    }

    // MARK: Logs

    /// The emulator's output so far (its own JSON lines and the stages' `[name]`-prefixed ones).
    var lines: [String] { child.lines }

    /// The last `count` lines, for failure messages.
    func recentLog(_ count: Int = 60) -> String {
        lines.suffix(count).joined(separator: "\n")
    }

    // MARK: Stopping

    /// SIGTERM (the emulator stops its stages), SIGKILL after 20 s; then any stage still
    /// running under it is killed too, so nothing outlives the test.
    func stop() async {
        await child.stopWithChildren()
    }

    private static func terminate(_ child: ChildProcess) {
        let stages = ProcessTable.children(of: child.processIdentifier).map(\.pid)
        child.send(SIGKILL)
        for pid in stages { kill(pid, SIGKILL) }
    }
}

/// Runs `body` with a pipeline emulator configured by `environment` (merged into the shared
/// `env:` of `infra/pipeline.yaml`) on a fresh data directory; stops the emulator and its
/// stages and removes the directory afterwards, also when `body` throws.
func withPipelineEmulator<T: Sendable>(
    environment: [String: String],
    _ body: @Sendable (PipelineEmulator) async throws -> T
) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-e2e-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = try PipelineFile(environment: environment).write(into: directory)
    let data = directory.appendingPathComponent("data")
    let emulator = try await PipelineEmulator(pipelineFile: file, dataDirectory: data, environment: environment)
    do {
        let result = try await body(emulator)
        await emulator.stop()
        return result
    } catch {
        await emulator.stop()
        throw error
    }
}
