import Foundation
import Testing
import TestSupport

/// `emulator up` with the whole pipeline, stopped again and again. Every stop (and every kill of
/// a stage) ends the output pipes of its services at once; while the supervisor read them with
/// `FileHandle.readabilityHandler` (libdispatch read sources), that end of file sometimes crashed
/// the emulator with SIGSEGV in libdispatch's manager thread (`_dispatch_event_loop_drain`).
/// The crash was rare (about 1 stop in 30-50 here), so this is a guard, not a reproducer.
@Suite("emulator up stopped repeatedly")
struct RepeatedShutdownTests {
    @Test("started, its services killed once, then stopped with SIGTERM, 5 times over: emulator up exits 0 every time", .timeLimit(.minutes(3)))
    func repeatedShutdown() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("repeated-shutdown-\(UUID().uuidString)")
        let pipeline = try PipelineFile.writeUnpinned(to: URL(fileURLWithPath: data.path + ".pipeline.yaml"))
        defer { try? FileManager.default.removeItem(at: data); try? FileManager.default.removeItem(at: pipeline) }
        for round in 1...5 {
            let emulator = try ChildProcess("emulator", arguments: ["up", "--port", "0", "--data-dir", data.path, "--pipeline", pipeline.path, "--log-format", "json"])
            _ = try await emulator.line(where: { $0.contains(#""message":"pipeline ready""#) }, within: .seconds(60), "the pipeline to be ready")
            // Ends of output mid-run, as in the chaos suite: the supervisor restarts each service.
            for child in ProcessTable.children(of: emulator.processIdentifier) { kill(child.pid, SIGKILL) }
            _ = try await emulator.line(where: { $0.contains("service exited; restarting it") }, within: .seconds(10), "a restart")
            try await Task.sleep(for: .milliseconds(500))
            emulator.send(SIGTERM)
            let status = try await emulator.exitStatus(within: .seconds(30))
            #expect(status == 0, "round \(round): exit \(status): \(emulator.lines.suffix(20).joined(separator: "\n"))")
            guard status == 0 else { break }
        }
    }
}
