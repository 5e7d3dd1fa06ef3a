import Foundation
import BenchmarkSupport
import Synchronization

/// Hands out 0, 1, 2, … to concurrent workers.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.add(1, ordering: .relaxed).oldValue }
}

/// Reads a process's resident memory every 2 s, to show it stays flat over the run.
final class PeakSampler: Sendable {
    private let state = Mutex<(samples: [Int], running: Bool)>(([], true))

    init(pid: Int32) {
        let thread = Thread { [self] in
            while state.withLock({ $0.running }) {
                if let bytes = residentBytes(pid: pid) { state.withLock { $0.samples.append(bytes) } }
                Thread.sleep(forTimeInterval: 2)
            }
        }
        thread.start()
    }

    var samples: [Int] { state.withLock { $0.samples } }

    func stop() { state.withLock { $0.running = false } }
}

/// Peak resident memory of process `pid` (VmHWM), in bytes.
func peakResidentBytes(pid: Int32) -> Int? { statusField("VmHWM:", pid: pid) }

/// Resident memory of process `pid` now (VmRSS), in bytes.
func residentBytes(pid: Int32) -> Int? { statusField("VmRSS:", pid: pid) }

private func statusField(_ name: String, pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return nil }
    return line.split(separator: " ").compactMap { Int($0) }.first.map { $0 * 1024 }
}

/// Prints a line unbuffered, so progress shows when the output is a file or pipe.
func report(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// The release `emulator` (next to the benchmark) serving the APIs on a given data directory,
/// which it leaves in place.
final class EmulatorOnDirectory {
    private let process = Process()
    private(set) var url = ""

    init(_ directory: String) throws {
        process.executableURL = ReleaseBinaries.url("emulator")
        process.arguments = ["up", "--port", "0", "--data-dir", directory, "--pipeline", "none", "--log-format", "json"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        var buffered = Data()
        while url.isEmpty {
            let chunk = pipe.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw BenchmarkFailure("the emulator exited: \(String(decoding: buffered, as: UTF8.self))") }
            buffered.append(chunk)
            for line in buffered.split(separator: UInt8(ascii: "\n")) {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                      object["message"] as? String == "emulator listening", let found = object["pixelpipe.url"] as? String else { continue }
                url = found
            }
        }
        pipe.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
