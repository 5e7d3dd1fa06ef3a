import Foundation
import GoogleCloud
import Logging
import PixelPipeCore
import Testing
import TestSupport
@testable import Emulator

/// Collects the supervisor's prefixed output lines.
final class LineCollector: Sendable {
    private let recorder = Recorder<String>()
    func append(_ line: String) { recorder.record(line) }
    var lines: [String] { recorder.all }
}

func fixtureService(_ name: String) throws -> Topology.Service {
    try TopologyLoader.parse("services: [{name: \(name), binary: FunctionFixture, env: {LOG_FORMAT: json}}]").services[0]
}

func makeSupervisor(_ lines: LineCollector) -> Supervisor {
    var logger = Logger(label: "supervisor-test")
    logger.logLevel = .critical
    let launcher = ServiceLauncher(
        binDirectory: ChildProcess.binDirectory,
        sharedEnvironment: ServiceLauncher.emulatorEnvironment(baseURL: "http://127.0.0.1:8085", project: "demo")
    )
    return Supervisor(launcher: launcher, colorize: false, logger: logger) { lines.append($0) }
}

func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

/// Waits until some collected line satisfies `predicate` (log lines come through pipes).
func awaitLine(_ lines: LineCollector, within limit: Duration = .seconds(10), _ predicate: (String) -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while !lines.lines.contains(where: predicate), ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Runs `body` with a supervisor and always stops it, even when `body` throws.
func withSupervisor(_ lines: LineCollector, _ body: (Supervisor) async throws -> Void) async throws {
    let supervisor = makeSupervisor(lines)
    do {
        try await body(supervisor)
    } catch {
        await supervisor.stop()
        throw error
    }
    await supervisor.stop()
}

@Suite("Supervisor")
struct SupervisorTests {
    @Test("services start on their own ports with the Cloud Run and emulator variables, and their lines are prefixed")
    func startsServices() async throws {
        let lines = LineCollector()
        try await withSupervisor(lines) { supervisor in
            let urls = try await supervisor.start([try fixtureService("alpha"), try fixtureService("beta")])
            #expect(Set(urls.keys) == ["alpha", "beta"])
            #expect(urls["alpha"] != urls["beta"])
            let client = HTTPClient()
            for url in urls.values {
                #expect(try await client.get(url + "/healthz").status == 200)
            }
            for name in ["alpha", "beta"] {
                try await awaitLine(lines) { $0.hasPrefix("[\(name)] ") && $0.contains(#""message":"serving""#) }
            }
        }
        // The JSON log line shows K_SERVICE (the logger label) and K_REVISION reached the binary.
        let serving = lines.lines.filter { $0.contains(#""message":"serving""#) }
        #expect(serving.contains { $0.hasPrefix("[alpha] ") && $0.contains(#""logger":"alpha""#) })
        #expect(serving.contains { $0.hasPrefix("[beta] ") && $0.contains(#""logger":"beta""#) })
        #expect(lines.lines.contains { $0.hasPrefix("[alpha] ") && $0.contains(#""pixelpipe.revision":"alpha-00001""#) })
    }

    @Test("a service that dies is restarted on the same port; stop ends every process")
    func restartsAndStops() async throws {
        let lines = LineCollector()
        let supervisor = makeSupervisor(lines)
        do {
            let urls = try await supervisor.start([try fixtureService("worker")])
            let url = try #require(urls["worker"])
            let first = try #require(await supervisor.processIdentifier(of: "worker"))

            kill(first, SIGKILL)

            let client = HTTPClient()
            var restarted: Int32?
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                if let pid = await supervisor.processIdentifier(of: "worker"), pid != first,
                   (try? await client.get(url + "/healthz"))?.status == 200 {
                    restarted = pid
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            let second = try #require(restarted, "the service was not restarted")
            #expect(await supervisor.restarts(of: "worker") == 1)
            // The new revision's log line arrives through the pipe shortly after it serves.
            try await awaitLine(lines) { $0.contains(#""pixelpipe.revision":"worker-00002""#) }
            #expect(lines.lines.contains { $0.contains(#""pixelpipe.revision":"worker-00002""#) })

            await supervisor.stop()
            #expect(!isAlive(second))
        } catch {
            await supervisor.stop()
            throw error
        }
    }

    @Test("a binary that does not exist is a clear error")
    func missingBinary() async throws {
        let supervisor = makeSupervisor(LineCollector())
        let service = try TopologyLoader.parse("services: [{name: ghost, binary: no-such-binary}]").services[0]
        await #expect(throws: SupervisorError.binaryNotFound(binary: "no-such-binary", searched: ChildProcess.binDirectory.path)) {
            _ = try await supervisor.start([service])
        }
        await supervisor.stop()
    }
}
