import Foundation
import Testing
import TestSupport

@Suite("emulator up: ports")
struct UpCommandTests {
    @Test("--port outside 0-65535 is refused naming the option and the value", arguments: [70000, -1])
    func portOutOfRange(_ port: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("up-port-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let child = try ChildProcess("emulator", arguments: ["up", "--port=\(port)", "--data-dir", directory.path, "--pipeline", "none"])
        #expect(try await child.exitStatus() == 64)
        try await child.outputEnded()
        #expect(child.lines.contains { $0.contains("--port \(port) is not a port: use 1-65535, or 0 for any free port") }, "\(child.lines)")
    }

    @Test("a port in use is named with the address and the process holding it")
    func portInUse() async throws {
        let held = try HeldPort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("up-port-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let child = try ChildProcess("emulator", arguments: ["up", "--port", String(held.port), "--data-dir", directory.path, "--pipeline", "none", "--log-format", "json"])
        #expect(try await child.exitStatus() == 1)
        try await child.outputEnded()
        let expected = "port \(held.port) on 127.0.0.1 is in use by \(HeldPort.holder); choose another with --port (0 picks any free port)"
        #expect(child.lines.contains { $0.contains(expected) }, "\(child.lines)")
        #expect(!child.lines.contains { $0.contains("bind(descriptor") })
    }
}
