import Foundation

/// What one chaos case did to its job, in numbers: the suite prints one line per case and
/// requires the exact outcome (nothing lost, nothing counted twice, every output once, the output
/// CSV complete, webhooks identical and signed).
struct ChaosReport: Sendable, CustomStringConvertible {
    var job: String
    var status: String
    var total: Int
    var succeeded: Int
    var failed: Int
    /// Items never recorded.
    var lost: Int
    /// Counts beyond one per item.
    var doubleCounted: Int
    var missingOutputs: Int
    var extraOutputs: Int
    var outputCSVProblems: [String]
    /// Webhook calls received; a repeat must carry the same body and key.
    var webhooks: Int
    var webhookBodies: Int
    var webhookKeysMatch: Bool
    var webhooksSigned: Bool
    /// Items that needed more than one attempt.
    var retriedItems: Int
    var secondsToFinish: Double

    /// Whether the job ended exactly as if nothing had gone wrong.
    var isExact: Bool {
        status == "finished" && succeeded == total && failed == 0 && lost == 0 && doubleCounted == 0
            && missingOutputs == 0 && extraOutputs == 0 && outputCSVProblems.isEmpty
            && webhooks >= 1 && webhookBodies == 1 && webhookKeysMatch && webhooksSigned
    }

    var description: String {
        "job \(job): \(status), \(succeeded)/\(total) succeeded, \(failed) failed, lost \(lost), double-counted \(doubleCounted), "
            + "outputs missing \(missingOutputs) extra \(extraOutputs), output CSV \(outputCSVProblems.isEmpty ? "complete" : outputCSVProblems.prefix(3).joined(separator: "; ")), "
            + "webhooks \(webhooks) (\(webhookBodies) distinct bod\(webhookBodies == 1 ? "y" : "ies"), signed: \(webhooksSigned)), "
            + "retried items \(retriedItems), finished in \(String(format: "%.1f", secondsToFinish)) s"
    }
}
