import PipelineModel

/// The dashboard as plain text, for `emulator status` and the terminal's progress lines.
enum DashboardText {
    static func render(_ snapshot: DashboardSnapshot) -> String {
        var lines = ["PixelPipe emulator — \(snapshot.takenAt)"]
        if let disk = snapshot.disk { lines += ["", "!! " + disk.summary] }
        if !snapshot.services.isEmpty {
            lines += ["", "Services:"]
            lines += snapshot.services.map { service in
                "  \(service.name)  \(service.url)  \(service.state.rawValue)"
                    + (service.pid.map { "  pid \($0)" } ?? "") + (service.revision.map { "  \($0)" } ?? "")
                    + "  restarts \(service.restarts)"
            }
        }
        lines += ["", "Jobs:"]
        lines += snapshot.jobs.isEmpty ? ["  (none)"] : snapshot.jobs.map { "  " + progressLine($0) }
        lines += ["", "Queues:"]
        lines += snapshot.queues.isEmpty ? ["  (none)"] : snapshot.queues.map {
            "  \($0.name)  \($0.state)  pending \($0.pending)  in flight \($0.inFlight)  retrying \($0.retrying)  failed \($0.failed)"
                + ($0.lastResponses.isEmpty ? "" : "  last \($0.lastResponses.joined(separator: " "))")
        }
        lines += ["", "Subscriptions:"]
        lines += snapshot.subscriptions.isEmpty ? ["  (none)"] : snapshot.subscriptions.map {
            "  \($0.name) ← \($0.topic)  backlog \($0.backlog)  in flight \($0.inFlight)  dead-lettered \($0.deadLettered)"
                + ($0.deadLetterTopic.map { " → \($0)" } ?? "")
        }
        if !snapshot.warnings.isEmpty {
            lines += ["", "Works here, breaks at scale:"]
            lines += snapshot.warnings.map { "  \($0.kind.rawValue)  \($0.resource)  ×\($0.count)  last \($0.at)" }
        }
        lines += ["", "Storage events waiting: \(snapshot.pendingTriggerEvents)", "", "Recent invocations:"]
        lines += snapshot.recent.isEmpty ? ["  (none)"] : snapshot.recent.prefix(15).map {
            "  \($0.at)  \($0.kind)  \($0.target)  \($0.status == 0 ? "no response" : String($0.status))  \($0.latencyMilliseconds) ms"
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `job 0123abcd  running  [#########-----------]  45/120  (3 failed)`
    static func progressLine(_ job: DashboardSnapshot.Job, width: Int = 20) -> String {
        let filled = Int((job.progress * Double(width)).rounded())
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        return "job \(job.id)  \(job.status.rawValue)  [\(bar)]  \(job.done)/\(job.total)" + (job.failed > 0 ? "  (\(job.failed) failed)" : "")
    }
}
