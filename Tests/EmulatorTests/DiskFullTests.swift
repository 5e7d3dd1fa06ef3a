import Foundation
import GoogleCloud
import GRDB
import Logging
import Testing
import TestSupport

@testable import Emulator

/// A full disk under the data directory: writes answer 503 (clients retry) and lose nothing
/// already stored, the emulator says "disk full: deliveries paused", and it resumes by itself
/// once there is room again. The disk is a small tmpfs made full on purpose.
@Suite("Emulator on a full disk", .enabled(if: TmpfsMount.isAvailable, "needs root to mount a tmpfs"))
struct DiskFullTests {
    @Test("an upload to a full disk is 503 UNAVAILABLE; status and dashboard say deliveries are paused; freeing space resumes without a restart")
    func fullDiskPausesAndResumes() async throws {
        let disk = try TmpfsMount(megabytes: 8)
        defer { disk.unmount() }
        try await TestEmulator.run(dataDirectory: disk.directory.appendingPathComponent("data")) { emulator in
            #expect(try await emulator.send("POST", "/storage/v1/b?project=p", json: #"{"name":"disk-test"}"#).status == 200)
            let kept = try await emulator.send("POST", "/upload/storage/v1/b/disk-test/o?uploadType=media&name=kept.txt", body: Data("stored before".utf8))
            #expect(kept.status == 200)
            try disk.fill()

            let refused = try await emulator.send("POST", "/upload/storage/v1/b/disk-test/o?uploadType=media&name=big.bin", body: Data(count: 256 << 10))
            #expect(refused.status == 503)
            #expect(refused.json["error"].flatMap { ($0 as? [String: Any])?["status"] as? String } == "UNAVAILABLE")
            #expect(String(decoding: refused.body, as: UTF8.self).contains("No space left on device"))
            #expect(emulator.store.health.diskProblem?.kind == .full)

            let status = try await emulator.send("GET", "/_emulator/status?format=text")
            #expect(String(decoding: status.body, as: UTF8.self).contains("disk full: deliveries paused"))
            let json = try await emulator.send("GET", "/_emulator/status")
            #expect((json.json["disk"] as? [String: Any])?["kind"] as? String == "full")
            let page = try await emulator.send("GET", "/")
            #expect(String(decoding: page.body, as: UTF8.self).contains("disk full: deliveries paused"))
            // What was stored before is still served.
            let read = try await emulator.send("GET", "/storage/v1/b/disk-test/o/kept.txt?alt=media")
            #expect(read.status == 200 && read.body == Data("stored before".utf8))

            let monitor = DiskMonitor(store: emulator.store, logger: Logger(label: "disk-test") { _ in SwiftLogNoOpLogHandler() })
            var reported: StoreHealth.DiskProblem?
            await monitor.check(reported: &reported)
            #expect(emulator.store.health.diskProblem != nil, "still full: still paused")
            try disk.free()
            await monitor.check(reported: &reported)
            #expect(emulator.store.health.diskProblem == nil, "room again: resumed")
            let retried = try await emulator.send("POST", "/upload/storage/v1/b/disk-test/o?uploadType=media&name=big.bin", body: Data(count: 256 << 10))
            #expect(retried.status == 200)
            let after = try await emulator.send("GET", "/_emulator/status?format=text")
            #expect(!String(decoding: after.body, as: UTF8.self).contains("disk full"))
        }
    }

    @Test("a dispatch whose outcome could not be recorded (the disk filled while it ran) is dispatched again once its lease lapses, without a restart", .timeLimit(.minutes(2)))
    func lapsedLeaseWithoutRestart() async throws {
        let disk = try TmpfsMount(megabytes: 8)
        defer { disk.unmount() }
        let store = try EmulatorStore(directory: disk.directory.appendingPathComponent("data"))
        let queue = "projects/demo/locations/l/queues/q"
        let task = "\(queue)/tasks/t"
        try await DeliveryHarness.makeQueue(store, queue)
        let handler = TestHandler()
        // The first dispatch fills the disk before it answers: its 200 cannot be recorded.
        try await handler.run(respond: { _, index in
            if index == 1 { _ = try? disk.fill() }
            return (200, [:])
        }) { url in
            try await DeliveryHarness.makeTask(store, queue: queue, id: "t", url: url, deadline: .seconds(15))
            let dispatcher = TaskDispatcher(store: store, client: HTTPClient(), logger: DeliveryHarness.logger, leaseGrace: .seconds(1))
            let monitor = DiskMonitor(store: store, logger: DeliveryHarness.logger)
            try await DeliveryHarness.running(monitor) {
                try await DeliveryHarness.running(dispatcher) {
                    try await DeliveryHarness.eventually("the outcome write to fail") { store.health.diskProblem != nil && handler.arrivals.count == 1 }
                    // Still marked in flight until its lease (dispatch deadline + grace) lapses.
                    try await DeliveryHarness.eventually("the lease to lapse") {
                        let lease = try await store.read { db in try Int64.fetchOne(db, sql: "SELECT lease_until_us FROM tasks_tasks WHERE name = ?", arguments: [task]) }
                        return (lease ?? .max) < GoogleTimestamp.now().microseconds
                    }
                    #expect(handler.arrivals.count == 1, "nothing is dispatched while the disk is full")
                    #expect(try await DeliveryHarness.exists(store, task: task))
                    try disk.free()
                    try await DeliveryHarness.eventually("the task to be dispatched again and completed") { try await !DeliveryHarness.exists(store, task: task) }
                }
            }
        }
        #expect(handler.arrivals.count == 2)
        #expect(handler.arrivals.last?.header("X-CloudTasks-TaskRetryCount") == "1", "the lapsed dispatch counted as an attempt")
    }

    @Test("running out of free space pauses deliveries before any write fails")
    func lowSpacePausesDeliveries() async throws {
        let disk = try TmpfsMount(megabytes: 4)
        defer { disk.unmount() }
        let store = try EmulatorStore(directory: disk.directory.appendingPathComponent("data"))
        let monitor = DiskMonitor(store: store, logger: Logger(label: "disk-test") { _ in SwiftLogNoOpLogHandler() })
        var reported: StoreHealth.DiskProblem?
        await monitor.check(reported: &reported)
        #expect(store.health.diskProblem == nil)
        try disk.fill()
        await monitor.check(reported: &reported)
        #expect(store.health.diskProblem?.summary.hasPrefix("disk full: deliveries paused") == true)
        try disk.free()
        await monitor.check(reported: &reported)
        #expect(store.health.diskProblem == nil)
    }
}

/// `emulator up` with the whole pipeline, started again while its disk is still full.
@Suite("emulator up on a full disk", .enabled(if: TmpfsMount.isAvailable, "needs root to mount a tmpfs"))
struct RestartOnFullDiskTests {
    @Test("started again on a disk that is still full, emulator up waits for room, saying so, then runs its pipeline without another start", .timeLimit(.minutes(2)))
    func restartOnFullDisk() async throws {
        let disk = try TmpfsMount(megabytes: 16)
        defer { disk.unmount() }
        let data = disk.directory.appendingPathComponent("data")
        let pipeline = try PipelineFile.writeUnpinned(to: disk.directory.appendingPathComponent("pipeline.yaml"))
        let arguments = ["up", "--port", "0", "--data-dir", data.path, "--pipeline", pipeline.path, "--log-format", "json"]
        let first = try ChildProcess("emulator", arguments: arguments)
        _ = try await first.line(where: { $0.contains(#""message":"pipeline ready""#) }, within: .seconds(60), "the pipeline to be ready")
        first.send(SIGTERM)
        #expect(try await first.exitStatus() == 0)

        try disk.fill()
        let second = try ChildProcess("emulator", arguments: arguments)
        defer { second.send(SIGKILL) }
        let waiting = try await second.line(where: { $0.contains("disk full: waiting for room to open the data directory") }, within: .seconds(30), "the wait for room")
        #expect(waiting.contains(data.path))
        #expect(second.isRunning)
        try disk.free()
        _ = try await second.line(where: { $0.contains(#""message":"pipeline ready""#) }, within: .seconds(60), "the pipeline to be ready once there is room")
        second.send(SIGTERM)
        let status = try await second.exitStatus()
        #expect(status == 0, "exit \(status): \(second.lines.suffix(12).joined(separator: "\n"))")
    }
}
