import Foundation
import Testing
import TestSupport

/// The real `emulator up` binary as a child process on a free port, for tests that must kill it.
/// The caller must `stop()` it (tests do so in `defer`).
final class EmulatorProcess: @unchecked Sendable {
    let process = Process()
    let baseURL: String
    private let output = Pipe()

    /// The `emulator` binary next to the test bundle (same build products directory).
    static var binary: URL {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("emulator")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return testBinary.deletingLastPathComponent().appendingPathComponent("emulator")
    }

    /// Starts `emulator up --port 0 --data-dir DIR --log-format json` and waits for its
    /// "emulator listening" line, reading the bound URL from `pixelpipe.url`.
    init(dataDirectory: URL) async throws {
        process.executableURL = Self.binary
        process.arguments = ["up", "--port", "0", "--data-dir", dataDirectory.path, "--log-format", "json", "--pipeline", "none"]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let handle = output.fileHandleForReading
        do {
            baseURL = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async {
                    var buffered = Data()
                    while true {
                        let chunk = handle.availableData
                        if chunk.isEmpty {
                            continuation.resume(throwing: TestFailure("emulator exited before listening: \(String(decoding: buffered, as: UTF8.self))"))
                            return
                        }
                        buffered.append(chunk)
                        for line in buffered.split(separator: UInt8(ascii: "\n")) {
                            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                                  object["message"] as? String == "emulator listening", let url = object["pixelpipe.url"] as? String else { continue }
                            continuation.resume(returning: url)
                            return
                        }
                    }
                }
            }
        } catch {
            if process.isRunning {
                Foundation.kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            throw error
        }
        // Keep draining stdout so the child never blocks on a full pipe.
        PipeReader.start(handle, name: "emulator", onData: { _ in })
    }

    /// SIGKILL: the process gets no chance to flush or clean up.
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops the process if it is still running.
    func stop() {
        kill()
    }
}
