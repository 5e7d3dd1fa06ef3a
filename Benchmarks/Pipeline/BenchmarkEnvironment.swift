import Foundation
import GoogleCloud
import PipelineModel
import PixelPipeCore

/// The emulator-side view a benchmark needs: clients for the emulator at `url`, and the
/// environment that points a stage binary at it.
struct BenchmarkEnvironment {
    static let project = "pixelpipe-local"
    let url: String
    let clients: PipelineClients
    let configuration: PipelineConfiguration

    init(emulatorURL url: String) throws {
        self.url = url
        let environment = EnvironmentValues(Self.stageEnvironment(emulatorURL: url))
        configuration = try PipelineConfiguration(environment: environment)
        clients = PipelineClients(api: GoogleAPIClient(environment: environment), configuration: configuration)
    }

    /// What the emulator's supervisor would give a stage.
    static func stageEnvironment(emulatorURL url: String) -> [String: String] {
        let hostPort = url.replacingOccurrences(of: "http://", with: "")
        return [
            "GOOGLE_CLOUD_PROJECT": project,
            "STORAGE_EMULATOR_HOST": url,
            "PUBSUB_EMULATOR_HOST": hostPort,
            "CLOUD_TASKS_EMULATOR_HOST": hostPort,
            "FIRESTORE_EMULATOR_HOST": hostPort,
        ]
    }

    /// Polls the job document until its status is final; nil after `limit`.
    func awaitFinal(job: JobID, limit: Duration) async throws -> JobState? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let state = try await JobStore(firestore: clients.firestore).state(job), state.status.isFinal {
                return state
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}

/// Peak resident memory of process `pid` (VmHWM), in bytes.
func peakResidentBytes(pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
    let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first
    return kilobytes.map { $0 * 1024 }
}

/// Prints a line unbuffered, so progress shows when the output is a file or pipe.
func report(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// CPU seconds (user + system) used so far by `pid` and by each of its children, by name.
func cpuSeconds(ofProcessAndChildren pid: Int32) -> [(name: String, seconds: Double)] {
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    func stat(_ pid: String) -> (name: String, parent: Int32, seconds: Double)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") else { return nil }
        let name = String(text[text.index(after: open)..<close])
        let fields = text[text.index(close, offsetBy: 2)...].split(separator: " ")
        // After the name: state(0) ppid(1) … utime(11) stime(12).
        guard fields.count > 12, let parent = Int32(fields[1]), let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (name, parent, (user + system) / ticks)
    }
    var result: [(name: String, seconds: Double)] = []
    if let own = stat(String(pid)) { result.append((own.name, own.seconds)) }
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for entry in entries where entry.allSatisfy(\.isNumber) {
        if let child = stat(entry), child.parent == pid { result.append((child.name, child.seconds)) }
    }
    return result
}
