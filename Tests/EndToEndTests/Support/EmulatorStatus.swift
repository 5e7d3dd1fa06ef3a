import Foundation
import GoogleCloud
import PipelineModel
import TestSupport

/// The parts of the emulator's `/_emulator/status` snapshot the tests read: queue and
/// subscription backlogs and pending trigger events, to await a pipeline with nothing left to do.
struct EmulatorStatus: Decodable, Sendable {
    struct Queue: Decodable, Sendable {
        var name: String
        var pending: Int
        var inFlight: Int
    }
    struct Subscription: Decodable, Sendable {
        var name: String
        var backlog: Int
        var inFlight: Int
        var deadLettered: Int
        var pushEndpoint: String?
    }

    var queues: [Queue]
    var subscriptions: [Subscription]
    var pendingTriggerEvents: Int

    /// Whether no trigger event, push or task of the pipeline is waiting or in flight. The
    /// control queue always holds the jobs' watchdog tasks, scheduled at their deadlines, so
    /// only its tasks in flight count there.
    func isIdle(controlQueue: String) -> Bool {
        pendingTriggerEvents == 0
            && queues.allSatisfy { $0.inFlight == 0 && ($0.name == controlQueue || $0.pending == 0) }
            // Push subscriptions only: a test's own pull subscription keeps its copies.
            && subscriptions.filter { $0.pushEndpoint != nil }.allSatisfy { $0.backlog == 0 && $0.inFlight == 0 }
    }
}

extension PipelineEmulator {
    /// The emulator's status now.
    func status() async throws -> EmulatorStatus {
        let response = try await HTTPClient().get(baseURL + "/_emulator/status")
        guard response.status == 200 else { throw TestFailure("/_emulator/status answered \(response.status)") }
        return try JSONDecoder().decode(EmulatorStatus.self, from: response.body)
    }

    /// Waits until nothing is pending anywhere, and still nothing after `quiet` (an absence can
    /// only be shown by waiting a little; everything that could follow is already queued
    /// when the emulator reports idle, so a short quiet period suffices).
    func awaitIdle(within limit: Duration = .seconds(45), quiet: Duration = .seconds(1)) async throws {
        let last = LastSeen()
        let context: @Sendable () -> String = { "last status: \(last.value ?? "none")\n--- emulator log (end) ---\n\(self.recentLog())" }
        for _ in 0..<2 {
            _ = try await eventually("the pipeline to be idle", within: limit, context: context) { () -> Bool? in
                let now = try await self.status()
                last.value = "\(now)"
                return now.isIdle(controlQueue: configuration.controlQueue) ? true : nil
            }
            try await Task.sleep(for: quiet)
        }
        let final = try await status()
        guard final.isIdle(controlQueue: configuration.controlQueue) else { throw TestFailure("the pipeline became busy again: \(final)") }
    }
}
