import Foundation

/// The release `emulator` binary (next to the running benchmark) as a child process on a free
/// port with a temporary data directory, for the benchmarks that measure it from outside.
public final class ChildEmulator {
    private let process = Process()
    private let arguments: [String]
    /// The emulator's data directory, removed by `stop()`.
    public let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-bench-\(UUID().uuidString)")
    /// The emulator's process id.
    public var processIdentifier: Int32 { process.processIdentifier }
    /// The emulator's base URL, known once `start()` returns.
    public private(set) var url = ""

    /// `arguments` are added to `emulator up --port 0 --data-dir … --log-format json`; the
    /// default serves the APIs alone.
    public init(arguments: [String] = ["--pipeline", "none"]) {
        self.arguments = arguments
    }

    /// Starts the emulator and returns once it has logged `readyMessage` (and its URL).
    public func start(readyMessage: String = "emulator listening") throws {
        let binary = ReleaseBinaries.url("emulator")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            FileHandle.standardError.write(Data("no emulator at \(binary.path); run `swift build -c release` first\n".utf8))
            exit(1)
        }
        let pipe = Pipe()
        process.executableURL = binary
        process.arguments = ["up", "--port", "0", "--data-dir", dataDirectory.path, "--log-format", "json"] + arguments
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        var buffered = Data()
        var ready = false
        while !ready || url.isEmpty {
            let chunk = pipe.fileHandleForReading.availableData
            guard !chunk.isEmpty else {
                FileHandle.standardError.write(Data("the emulator exited:\n".utf8) + buffered)
                exit(1)
            }
            buffered.append(chunk)
            for line in buffered.split(separator: UInt8(ascii: "\n")) {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
                let message = object["message"] as? String
                if message == "emulator listening", let found = object["pixelpipe.url"] as? String { url = found }
                if message == readyMessage { ready = true }
            }
        }
        // Keep draining, so the emulator never blocks on a full pipe.
        pipe.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
    }

    /// Stops the emulator and removes its data directory.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: dataDirectory)
    }
}
