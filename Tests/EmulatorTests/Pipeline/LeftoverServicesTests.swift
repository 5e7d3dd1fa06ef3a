import Foundation
import FunctionsFramework
import GoogleCloud
import GRDB
import PixelPipeCore
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
        let pipeline = try PipelineFile.writeUnpinned(to: URL(fileURLWithPath: directory.path + ".pipeline.yaml"))
        let emulator = try ChildProcess("emulator", arguments: ["up", "--port", "0", "--data-dir", directory.path, "--pipeline", pipeline.path, "--log-format", "json"])
        _ = try await emulator.line(where: { $0.contains(#""message":"pipeline ready""#) }, within: .seconds(60), "the pipeline to be ready")
        return emulator
    }

    /// The four services as recorded once every one of them has a process.
    func recordedServices(_ directory: URL, excluding earlier: Set<Int32> = []) async throws -> [String: (pid: Int32, executable: String, port: Int)] {
        var services: [String: (pid: Int32, executable: String, port: Int)] = [:]
        let deadline = ContinuousClock.now + .seconds(20)
        while services.count < 5 || !Set(services.values.map(\.pid)).isDisjoint(with: earlier), ContinuousClock.now < deadline {
            services = try recorded(directory)
            try await Task.sleep(for: .milliseconds(20))
        }
        return services
    }

    @Test("a SIGKILLed emulator takes its services with it (no orphans); the next one runs them on the same ports", .timeLimit(.minutes(2)))
    func servicesDieWithTheEmulator() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-leftovers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }

        let first = try await startEmulator(directory)
        let before = try await recordedServices(directory)
        #expect(Set(before.keys) == ["ingest", "populate", "process", "teardown", "api"])
        #expect(before.values.allSatisfy { ServiceProcesses.isRunning($0.pid, executable: $0.executable) })
        first.send(SIGKILL)
        _ = try await first.exitStatus()
        // The kernel delivers each service its parent-death signal: none is left running.
        let gone = ContinuousClock.now + .seconds(10)
        while before.values.contains(where: { ServiceProcesses.isRunning($0.pid, executable: $0.executable) }), ContinuousClock.now < gone {
            try await Task.sleep(for: .milliseconds(20))
        }
        for (service, process) in before {
            #expect(!ServiceProcesses.isRunning(process.pid, executable: process.executable), "\(service) (pid \(process.pid)) outlived its emulator")
        }

        let second = try await startEmulator(directory)
        #expect(!second.lines.contains { $0.contains("stopped services left running by an earlier emulator") })
        let after = try await recordedServices(directory, excluding: Set(before.values.map(\.pid)))
        for (service, old) in before {
            #expect(after[service]?.port == old.port, "\(service) keeps its port")
        }
        let health = try await HTTPClient().get("http://127.0.0.1:\(after["ingest"]!.port)/healthz")
        #expect(health.status == 200)

        second.send(SIGTERM)
        #expect(try await second.exitStatus() == 0)
        #expect(after.values.allSatisfy { !ServiceProcesses.isRunning($0.pid, executable: $0.executable) })
    }

    @Test("a service process recorded by an earlier emulator and still running is stopped by the next one, which takes its port back", .timeLimit(.minutes(2)))
    func leftoversAreStopped() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-leftovers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        // A stage left running on its recorded port, as a container or a process whose
        // parent-death signal could not be set would be.
        let port = LoopbackPort.stable()
        let leftover = try ChildProcess("ingest", environment: [
            "PORT": String(port), "HOST": "127.0.0.1", "GOOGLE_CLOUD_PROJECT": "pixelpipe-local", "LOG_FORMAT": "json",
            "PIXELPIPE_PROCESS_URL": "http://127.0.0.1:9/", "PIXELPIPE_TEARDOWN_URL": "http://127.0.0.1:9/",
        ])
        _ = try await leftover.logField("pixelpipe.port", ofMessage: "serving")
        do {
            let store = try EmulatorStore(directory: directory)
            try await store.write { db in
                try db.execute(sql: "INSERT INTO service_ports(service, port, url) VALUES ('ingest', ?, ?)", arguments: [port, "http://127.0.0.1:\(port)"])
            }
            try await ServiceProcesses(store: store).record(
                service: "ingest", pid: leftover.processIdentifier, executable: ChildProcess.binDirectory.appendingPathComponent("ingest").path
            )
        }

        let emulator = try await startEmulator(directory)
        #expect(emulator.lines.contains { $0.contains("stopped services left running by an earlier emulator") })
        _ = try await leftover.exitStatus(within: .seconds(10))
        let after = try await recordedServices(directory, excluding: [leftover.processIdentifier])
        #expect(after["ingest"]?.port == port)
        #expect(!emulator.lines.contains { $0.contains("service moved") })
        emulator.send(SIGTERM)
        #expect(try await emulator.exitStatus() == 0)
    }
}
