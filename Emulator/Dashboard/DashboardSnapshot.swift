import Foundation
import GoogleCloud
import GRDB
import PipelineModel

/// What the emulator is doing, read through the stores that own each part: its disk and
/// services, jobs (the pipeline's Firestore `jobs` documents), queues, subscriptions, pending
/// trigger events and recent invocations.
/// The dashboard page, `emulator status`, the terminal progress lines and `/metrics` all show it.
struct DashboardSnapshot: Sendable, Encodable {
    /// A job as every reader sees it (the status route, the webhook, the finalize answer), with
    /// what the dashboard adds.
    typealias Job = DashboardJob

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
    /// What works here but would break at scale in Google Cloud, newest first.
    var warnings: [ScaleWarning]
    var recent: [Invocation]

    /// Reads everything; with `failureReasons`, each job's first failure reasons too (the
    /// terminal's progress lines do without).
    static func read(
        store: EmulatorStore, recent: RecentInvocations?, directory: ServiceDirectory? = nil, failureReasons: FailureReasonCache? = nil
    ) async throws -> DashboardSnapshot {
        let invocations = await recent?.snapshot(limit: 30) ?? []
        let services = await directory?.snapshot() ?? []
        let disk = store.health.diskProblem
        // Counts come from the stores that own them; this adds the configuration to show.
        let tasks = TasksStore(store: store)
        let pubsub = PubSubStore(store: store)
        let jobDocuments = try await FirestoreStore(store: store).topLevelDocuments(collection: "jobs", limit: 50)
        let queueStats = try await tasks.queueStats()
        let configuredQueues = try await tasks.allQueues()
        let subscriptionStats = try await pubsub.subscriptionStats()
        let configuredSubscriptions = try await pubsub.allSubscriptions()
        let pendingTriggerEvents = try await TriggerDeliverySource(store: store).pendingCount()
        let now = Date()
        let api = services.first { $0.name == "api" }?.url
        return DashboardSnapshot(
            takenAt: GoogleTimestamp.now().rfc3339,
            disk: disk,
            services: services,
            jobs: try await jobs(jobDocuments, store: store, api: api, failureReasons: failureReasons, now: now),
            queues: queues(queueStats, configured: configuredQueues),
            subscriptions: subscriptions(subscriptionStats, configured: configuredSubscriptions),
            pendingTriggerEvents: pendingTriggerEvents,
            warnings: store.scaleWarnings.recent,
            recent: invocations.map {
                Invocation(
                    kind: $0.kind.rawValue, target: "\($0.source.split(separator: "/").last ?? "") \($0.item) → \($0.target)", status: $0.status ?? 0,
                    latencyMilliseconds: $0.latency.components.seconds * 1000 + $0.latency.components.attoseconds / 1_000_000_000_000_000,
                    at: GoogleTimestamp(microseconds: $0.timeMicroseconds).rfc3339
                )
            }
        )
    }

    /// Documents of the top-level `jobs` collection of any project, newest first, read through
    /// the pipeline's job contract: the job document plus its counter shards (`JobState`), in the
    /// one JSON shape every other reader of a job gets (`JobView`), with the dashboard's additions.
    private static func jobs(
        _ documents: [(name: String, fields: [String: FirestoreValue])], store: EmulatorStore, api: String?,
        failureReasons: FailureReasonCache?, now: Date
    ) async throws -> [DashboardJob] {
        let firestore = FirestoreStore(store: store)
        var jobs: [DashboardJob] = []
        for (name, fields) in documents {
            guard let record = try? FirestoreCoding.decode(JobRecord.self, from: fields) else { continue }
            // At most `CounterShard.maximum` shards, so one page holds them all.
            let counters = try await firestore.list(collection: "\(name)/counters", pageSize: 1_000, after: nil).documents
                .compactMap { document in document.fields.flatMap { try? FirestoreCoding.decode(CounterShard.self, from: $0) } }
            let view = JobView(JobState(record: record, counters: counters), links: .publicStorage, bucket: "")
            let reasons = try await failureReasons?.reasons(job: name, failed: view.failed, firestore: firestore) ?? []
            var outputCSV: String?
            if let object = record.outputCSV {
                if let bucket = try await bucket(holding: object, store: store) {
                    // The emulator's own Storage download, relative to the page.
                    outputCSV = ObjectLinks.storageAPI(base: "").url(bucket: bucket, name: object)
                }
            }
            jobs.append(DashboardJob(
                view: view, sourceName: DashboardJob.sourceName(of: record),
                durationSeconds: DashboardJob.duration(createdAt: record.createdAt, finalizedAt: record.finalizedAt, now: now),
                failureReasons: reasons,
                links: .init(console: api.map { "\($0)/#/jobs/\(record.id.rawValue)" }, outputCsv: outputCSV)
            ))
        }
        return jobs
    }

    /// The bucket holding object `name`, if one does: one primary-key lookup per bucket.
    private static func bucket(holding name: String, store: EmulatorStore) async throws -> String? {
        try await store.read { db in
            try String.fetchOne(db, sql: """
                SELECT o.bucket FROM storage_buckets b JOIN storage_objects o ON o.bucket = b.name AND o.name = ? LIMIT 1
                """, arguments: [name])
        }
    }

    private static func queues(_ stats: [TaskQueueStats], configured: [TasksQueue]) -> [Queue] {
        stats.map { stats in
            let limits = configured.first { $0.name == stats.queue }?.rateLimits
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

    private static func subscriptions(_ stats: [SubscriptionDeliveryStats], configured: [PubSubSubscription]) -> [Subscription] {
        stats.map { stats in
            let subscription = configured.first { $0.name == stats.subscription }
            let push = subscription?.pushConfig?.pushEndpoint
            let deadLetter = subscription?.deadLetterPolicy?.deadLetterTopic
            return Subscription(
                name: String(stats.subscription.split(separator: "/").last ?? ""),
                topic: String((subscription?.topic ?? "").split(separator: "/").last ?? ""),
                pushEndpoint: push.flatMap { $0.isEmpty ? nil : $0 },
                backlog: stats.backlog, inFlight: stats.inFlight, deadLettered: stats.deadLettered,
                deadLetterTopic: deadLetter.map { String($0.split(separator: "/").last ?? "") }
            )
        }
    }
}
