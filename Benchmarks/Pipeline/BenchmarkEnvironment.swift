import Foundation
import Runtime

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
    func awaitFinal(job: String, limit: Duration) async throws -> JobRecord? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let document = try await clients.firestore.document(PipelineNames.jobDocument(job: job)) {
                let record = try document.decode(JobRecord.self)
                if record.status.isFinal { return record }
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
