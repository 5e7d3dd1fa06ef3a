import Foundation
import GRDB

/// What the emulator is doing, read in one consistent snapshot: jobs (the pipeline's Firestore
/// `jobs` documents), queues, subscriptions, pending trigger events and recent invocations.
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
        var tasks: Int
        /// Tasks dispatched at least once and still there: retrying or in flight.
        var attempted: Int
        var maxDispatchesPerSecond: Double?
        var maxConcurrentDispatches: Int?
        /// The last response statuses seen on this queue's tasks, newest first.
        var lastResponses: [String]
    }

    struct Subscription: Sendable, Encodable {
        var name: String
        var topic: String
        var pushEndpoint: String?
        var backlog: Int
        /// Messages delivered at least once and not yet acknowledged.
        var redelivering: Int
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
    var jobs: [Job]
    var queues: [Queue]
    var subscriptions: [Subscription]
    var pendingTriggerEvents: Int
    var recent: [Invocation]

    static func read(store: EmulatorStore, recent: RecentInvocations?) async throws -> DashboardSnapshot {
        let invocations = await recent?.snapshot(limit: 30) ?? []
        return try await store.read { db in
            DashboardSnapshot(
                takenAt: GoogleTimestamp.now().rfc3339,
                jobs: try jobs(db),
                queues: try queues(db),
                subscriptions: try subscriptions(db),
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

    /// Documents of the top-level `jobs` collection of any project, newest first.
    private static func jobs(_ db: Database) throws -> [Job] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT name, fields FROM firestore_documents
            WHERE parent LIKE 'projects/%/databases/%/documents/jobs'
            ORDER BY create_time_us DESC LIMIT 50
            """)
        return rows.compactMap { row in
            let name: String = row["name"]
            guard let fields = try? StoredJSON.decode([String: FirestoreValue].self, from: row["fields"]) else { return nil }
            func integer(_ key: String) -> Int64 {
                if case .integer(let value)? = fields[key] { return value }
                return 0
            }
            var status = "unknown"
            if case .string(let value)? = fields["status"] { status = value }
            return Job(id: String(name.split(separator: "/").last ?? ""), status: status, total: integer("total"), succeeded: integer("succeeded"), failed: integer("failed"))
        }
    }

    private static func queues(_ db: Database) throws -> [Queue] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT q.name, q.body, q.state,
                   (SELECT COUNT(*) FROM tasks_tasks t WHERE t.queue = q.name) AS tasks,
                   (SELECT COUNT(*) FROM tasks_tasks t WHERE t.queue = q.name AND t.dispatch_count > 0) AS attempted
            FROM tasks_queues q ORDER BY q.name
            """)
        return try rows.map { row in
            let name: String = row["name"]
            let queue = try? StoredJSON.decode(TasksQueue.self, from: row["body"])
            let stateCode: Int = row["state"]
            let responses = try String.fetchAll(db, sql: """
                SELECT last_attempt FROM tasks_tasks WHERE queue = ? AND last_attempt IS NOT NULL ORDER BY schedule_time_us DESC LIMIT 5
                """, arguments: [name]).compactMap(Self.responseStatus)
            return Queue(
                name: String(name.split(separator: "/").last ?? ""),
                state: [1: "RUNNING", 2: "PAUSED", 3: "DISABLED"][stateCode] ?? "UNKNOWN",
                tasks: row["tasks"], attempted: row["attempted"],
                maxDispatchesPerSecond: queue?.rateLimits?.maxDispatchesPerSecond,
                maxConcurrentDispatches: queue?.rateLimits?.maxConcurrentDispatches,
                lastResponses: responses
            )
        }
    }

    /// The HTTP status in a task's `lastAttempt` (`{"responseStatus":{"code":…}}`), if any.
    private static func responseStatus(_ attempt: String) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(attempt.utf8))) as? [String: Any] else { return nil }
        if let status = object["responseStatus"] as? [String: Any] {
            if let code = status["code"] { return "\(code)" }
            if let message = status["message"] as? String { return message }
        }
        return object["dispatchTime"] != nil ? "dispatched" : nil
    }

    private static func subscriptions(_ db: Database) throws -> [Subscription] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT s.name, s.topic, s.body,
                   (SELECT COUNT(*) FROM pubsub_deliveries d WHERE d.subscription = s.name) AS backlog,
                   (SELECT COUNT(*) FROM pubsub_deliveries d WHERE d.subscription = s.name AND d.delivery_attempts > 0) AS redelivering
            FROM pubsub_subscriptions s ORDER BY s.name
            """)
        return rows.map { row in
            let body = (try? JSONSerialization.jsonObject(with: Data((row["body"] as String).utf8))) as? [String: Any]
            let push = (body?["pushConfig"] as? [String: Any])?["pushEndpoint"] as? String
            let deadLetter = (body?["deadLetterPolicy"] as? [String: Any])?["deadLetterTopic"] as? String
            return Subscription(
                name: String((row["name"] as String).split(separator: "/").last ?? ""),
                topic: String((row["topic"] as String).split(separator: "/").last ?? ""),
                pushEndpoint: push, backlog: row["backlog"], redelivering: row["redelivering"],
                deadLetterTopic: deadLetter.map { String($0.split(separator: "/").last ?? "") }
            )
        }
    }
}
