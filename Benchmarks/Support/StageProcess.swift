import Foundation

/// A release stage binary (`ReleaseBinaries`) as a child process on a free port, once it says
/// it is serving; the pipeline and teardown benchmarks start theirs this way.
public final class StageProcess {
    public let process = Process()
    public private(set) var port = 0

    public init(_ binary: String, environment: [String: String]) throws {
        let executable = ReleaseBinaries.url(binary)
        process.executableURL = executable
        process.environment = environment.merging(["PORT": "0", "HOST": "127.0.0.1", "LOG_FORMAT": "json", "PATH": "/usr/bin:/bin"]) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        var buffered = Data()
        while port == 0 {
            let chunk = pipe.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw BenchmarkFailure("\(binary) exited: \(String(decoding: buffered, as: UTF8.self))") }
            buffered.append(chunk)
            for line in buffered.split(separator: UInt8(ascii: "\n")) {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                      object["message"] as? String == "serving", let text = object["pixelpipe.port"] as? String, let found = Int(text) else { continue }
                port = found
            }
        }
        pipe.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
    }

    /// Stops the binary (SIGTERM) and waits for it.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

/// A benchmark that cannot go on, and why.
public struct BenchmarkFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
