import GoogleCloud
import PipelineModel
import TestSupport

/// Everything a finished job consists of, taken twice around a repeated delivery to show that
/// the repeat changed nothing: counters and status, items, output objects (by content and
/// generation), the output CSV, and the number of webhook calls.
struct JobSnapshot: Sendable {
    var status: String
    var total: Int
    var succeeded: Int
    var failed: Int
    var remaining: Int
    var finalizedAt: String?
    /// `ROW-INDEX` → status and the attempt that recorded it.
    var items: [String: String]
    /// Object name → MD5, output CSV included.
    var objects: [String: String]
    /// Object name → generation: a repeat that rewrites identical bytes changes only these,
    /// so they are compared apart from the content (see `rewrittenObjects`).
    var generations: [String: String]
    var webhookCalls: Int
    var jobQueueExists: Bool

    init(_ upload: UploadedCSV, in pipeline: PipelineHarness) async throws {
        guard let job = try await pipeline.job(upload.job) else { throw TestFailure("no job \(upload.job)") }
        status = job.status.rawValue
        total = job.total
        succeeded = job.succeeded
        failed = job.failed
        remaining = job.remaining
        finalizedAt = job.finalizedAt
        items = try await pipeline.items(upload.job).mapValues { "\($0.status.rawValue) attempt \($0.attempt.map(String.init) ?? "-") at \($0.recordedAt)" }
        let listed = try await pipeline.clients.storage.listAll(bucket: pipeline.configuration.processedBucket, prefix: "\(upload.job)/")
        objects = Dictionary(uniqueKeysWithValues: listed.map { ($0.name, $0.md5Hash ?? "?") })
        generations = Dictionary(uniqueKeysWithValues: listed.map { ($0.name, $0.generation ?? "?") })
        webhookCalls = pipeline.webhookCalls(for: upload).count
        jobQueueExists = try await pipeline.jobQueueExists(upload.job)
    }
}

extension JobSnapshot {
    /// The parts that must not change (everything but generations).
    var content: String {
        "status \(status) total \(total) succeeded \(succeeded) failed \(failed) remaining \(remaining) finalized \(finalizedAt ?? "-") "
            + "webhooks \(webhookCalls) queue \(jobQueueExists)\nitems \(items.sorted { $0.key < $1.key })\nobjects \(objects.sorted { $0.key < $1.key })"
    }

    /// Objects written again since `earlier` (same name, new generation).
    func rewrittenObjects(since earlier: JobSnapshot) -> [String] {
        generations.filter { name, generation in earlier.generations[name].map { $0 != generation } ?? false }.map(\.key).sorted()
    }
}
