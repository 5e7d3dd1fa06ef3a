import Foundation
import GRDB
import Runtime
import Testing
import TestSupport
@testable import Emulator

@Suite("emulator up and its services")
struct LeftoverServicesTests {
    /// Service → (pid, executable, port) as the emulator recorded them.
    func recorded(_ directory: URL) throws -> [String: (pid: Int32, executable: String, port: Int)] {
        let database = try DatabaseQueue(path: directory.appendingPathComponent("emulator.sqlite").path)
        return try database.read { db in
            var result: [String: (pid: Int32, executable: String, port: Int)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT p.service, p.pid, p.executable, s.port FROM service_processes p JOIN service_ports s ON s.service = p.service
                """) {
                result[row["service"]] = (row["pid"], row["executable"], row["port"])
            }
            return result
        }
    }

    func startEmulator(_ directory: URL) async throws -> ChildProcess {
        let emulator = try ChildProcess("emulator", arguments: ["up", "--port", "0", "--data-dir", directory.path, "--log-format", "json"])
        _ = try await emulator.line(where: { $0.contains(#""message":"pipeline ready""#) }, within: .seconds(60), "the pipeline to be ready")
        return emulator
    }

    @Test("services left running by a killed emulator are stopped by the next one, which gets their ports back", .timeLimit(.minutes(2)))
    func leftoversAreStopped() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-leftovers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }

        let first = try await startEmulator(directory)
        var before: [String: (pid: Int32, executable: String, port: Int)] = [:]
        let deadline = ContinuousClock.now + .seconds(20)
        while before.count < 4, ContinuousClock.now < deadline {
            before = try recorded(directory)
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(Set(before.keys) == ["ingest", "populate", "process", "teardown"])
        first.send(SIGKILL)
        _ = try await first.exitStatus()
        // The emulator is gone; its services are still running.
        #expect(before.values.allSatisfy { ServiceProcesses.isRunning($0.pid, executable: $0.executable) })

        let second = try await startEmulator(directory)
        #expect(second.lines.contains { $0.contains("stopped services left running by an earlier emulator") })
        #expect(before.values.allSatisfy { !ServiceProcesses.isRunning($0.pid, executable: $0.executable) })
        var after: [String: (pid: Int32, executable: String, port: Int)] = [:]
        while after.count < 4 || Set(after.values.map(\.pid)).isSubset(of: Set(before.values.map(\.pid))) {
            after = try recorded(directory)
            try await Task.sleep(for: .milliseconds(20))
        }
        for (service, old) in before {
            #expect(after[service]?.port == old.port, "\(service) keeps its port")
            #expect(after[service]?.pid != old.pid)
        }
        let health = try await HTTPClient().get("http://127.0.0.1:\(after["ingest"]!.port)/healthz")
        #expect(health.status == 200)

        second.send(SIGTERM)
        #expect(try await second.exitStatus() == 0)
        #expect(after.values.allSatisfy { !ServiceProcesses.isRunning($0.pid, executable: $0.executable) })
    }
}
