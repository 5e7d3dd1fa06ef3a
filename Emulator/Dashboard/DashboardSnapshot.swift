import Foundation
import GRDB
import Runtime

/// What the emulator is doing, read in one consistent snapshot: its disk and services, jobs (the
/// pipeline's Firestore `jobs` documents), queues, subscriptions, pending trigger events and
/// recent invocations.
/// The dashboard page, `emulator status`, the terminal progress lines and `/metrics` all show it.
struct DashboardSnapshot: Sendable, Encodable {
    struct Job: Sendable, Encodable, Equatable {
        var id: String
        var status: String
        var total: Int64
        var succeeded: Int64
        var failed: Int64
        var done: Int64 { succeeded + failed }
        /// 0…1; 1 for a job with nothing to do.
        var progress: Double { total > 0 ? min(1, Double(done) / Double(total)) : (status == "running" ? 0 : 1) }
    }

    struct Queue: Sendable, Encodable {
        var name: String
        var state: String
        /// Waiting for dispatch (due or not).
        var pending: Int
        var inFlight: Int
        /// Pending tasks already attempted at least once.
        var retrying: Int
        /// Tasks deleted after their retries ran out.
        var failed: Int
        var maxDispatchesPerSecond: Double?
        var maxConcurrentDispatches: Int?
        /// The last response of the queue's current tasks, as `status×count`, most common first.
        var lastResponses: [String]
        /// Every task still in the queue.
        var tasks: Int { pending + inFlight }
    }

    struct Subscription: Sendable, Encodable {
        var name: String
        var topic: String
        var pushEndpoint: String?
        /// Messages not yet acknowledged, in flight ones included.
        var backlog: Int
        var inFlight: Int
        /// Messages forwarded to the dead-letter topic.
        var deadLettered: Int
        var deadLetterTopic: String?
    }

    struct Invocation: Sendable, Encodable {
        var kind: String
        var target: String
        var status: Int
        var latencyMilliseconds: Int64
        var at: String
    }

    var takenAt: String
    /// Set while the disk takes no writes: deliveries are paused.
    var disk: StoreHealth.DiskProblem?
    /// Every service of the pipeline: URL, state, pid, revision, restarts.
    var services: [ServiceStatus]
    var jobs: [Job]
    var queues: [Queue]
    var subscriptions: [Subscription]
    var pendingTriggerEvents: Int
    var recent: [Invocation]

    static func read(store: EmulatorStore, recent: RecentInvocations?, directory: ServiceDirectory? = nil) async throws -> DashboardSnapshot {
        let invocations = await recent?.snapshot(limit: 30) ?? []
        let services = await directory?.snapshot() ?? []
        let disk = store.health.diskProblem
        // Counts come from the stores that own them; this adds the configuration to show.
        let queueStats = try await TasksStore(store: store).queueStats()
        let subscriptionStats = try await PubSubStore(store: store).subscriptionStats()
        return try await store.read { db in
            DashboardSnapshot(
                takenAt: GoogleTimestamp.now().rfc3339,
                disk: disk,
                services: services,
                jobs: try jobs(db),
                queues: try queues(queueStats, db),
                subscriptions: try subscriptions(subscriptionStats, db),
                pendingTriggerEvents: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trigger_deliveries") ?? 0,
                recent: invocations.map {
                    Invocation(
                        kind: $0.kind.rawValue, target: "\($0.source.split(separator: "/").last ?? "") \($0.item) → \($0.target)", status: $0.status ?? 0,
                        latencyMilliseconds: $0.latency.components.seconds * 1000 + $0.latency.components.attoseconds / 1_000_000_000_000_000,
                        at: GoogleTimestamp(microseconds: $0.timeMicroseconds).rfc3339
                    )
                }
            )
        }
    }

    /// Documents of the top-level `jobs` collection of any project, newest first, read through
    /// the pipeline's job contract: the job document plus its counter shards (`JobState`), shown
    /// with the counts `JobView` gives every other reader (frozen ones once finalized).
    private static func jobs(_ db: Database) throws -> [Job] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT name, fields FROM firestore_documents
            WHERE parent LIKE 'projects/%/databases/%/documents/jobs'
            ORDER BY create_time_us DESC LIMIT 50
            """)
        return try rows.compactMap { row in
            let name: String = row["name"]
            guard let fields = try? StoredJSON.decode([String: Runtime.FirestoreValue].self, from: row["fields"]),
                  let record = try? FirestoreCoding.decode(JobRecord.self, from: fields) else { return nil }
            let counters = try String.fetchAll(db, sql: "SELECT fields FROM firestore_documents WHERE parent = ?", arguments: ["\(name)/counters"])
                .compactMap { try? FirestoreCoding.decode(CounterShard.self, from: StoredJSON.decode([String: Runtime.FirestoreValue].self, from: $0)) }
            let view = JobView(JobState(record: record, counters: counters), links: .publicStorage, bucket: "")
            return Job(id: view.job.rawValue, status: view.status.rawValue, total: Int64(view.total), succeeded: Int64(view.succeeded), failed: Int64(view.failed))
        }
    }

    private static func queues(_ stats: [TaskQueueStats], _ db: Database) throws -> [Queue] {
        try stats.map { stats in
            let body = try String.fetchOne(db, sql: "SELECT body FROM tasks_queues WHERE name = ?", arguments: [stats.queue])
            let limits = body.flatMap { try? StoredJSON.decode(TasksQueue.self, from: $0) }?.rateLimits
            return Queue(
                name: String(stats.queue.split(separator: "/").last ?? ""),
                state: stats.state.rawValue,
                pending: stats.pending, inFlight: stats.inFlight, retrying: stats.retrying, failed: stats.failed,
                maxDispatchesPerSecond: limits?.maxDispatchesPerSecond,
                maxConcurrentDispatches: limits?.maxConcurrentDispatches,
                lastResponses: stats.lastResponseStatuses.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key)×\($0.value)" }
            )
        }
    }

    private static func subscriptions(_ stats: [SubscriptionDeliveryStats], _ db: Database) throws -> [Subscription] {
        try stats.map { stats in
            let row = try Row.fetchOne(db, sql: "SELECT topic, body FROM pubsub_subscriptions WHERE name = ?", arguments: [stats.subscription])
            let body = (row?["body"] as String?).flatMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
            let push = (body?["pushConfig"] as? [String: Any])?["pushEndpoint"] as? String
            let deadLetter = (body?["deadLetterPolicy"] as? [String: Any])?["deadLetterTopic"] as? String
            return Subscription(
                name: String(stats.subscription.split(separator: "/").last ?? ""),
                topic: String((row?["topic"] as String? ?? "").split(separator: "/").last ?? ""),
                pushEndpoint: push.flatMap { $0.isEmpty ? nil : $0 },
                backlog: stats.backlog, inFlight: stats.inFlight, deadLettered: stats.deadLettered,
                deadLetterTopic: deadLetter.map { String($0.split(separator: "/").last ?? "") }
            )
        }
    }
}
