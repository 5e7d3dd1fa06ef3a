import Foundation
import Logging
import Runtime
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
