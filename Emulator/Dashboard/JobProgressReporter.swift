import GoogleCloud
import Logging
import PipelineModel
import ServiceLifecycle

/// In the terminal, a progress line per active job whenever its progress changes (at most once
/// a second), so a user watching `emulator up` sees jobs move without opening the dashboard.
struct JobProgressReporter: Service {
    let store: EmulatorStore
    let output: @Sendable (String) -> Void

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                var last: [String: DashboardSnapshot.Job] = [:]
                while !Task.isCancelled {
                    if let snapshot = try? await DashboardSnapshot.read(store: store, recent: nil) {
                        for job in snapshot.jobs where last[job.id]?.view != job.view && (job.status == .running || last[job.id] != nil) {
                            output(DashboardText.progressLine(job))
                            last[job.id] = job
                        }
                    }
                    try await Task.sleep(for: .seconds(1))
                }
            }
        } catch is CancellationError {}
    }
}
