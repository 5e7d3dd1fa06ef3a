import Foundation
import GoogleCloud
import GRDB

/// The durable state of task delivery (`TaskDeliverySource`): an `in_flight` mark set in the same commit that counts the
/// attempt, cleared in the commit that records its outcome, and cleared for all at start-up, so
/// a task in flight at a crash is dispatched again and no other task is.
///
/// The mark is a lease: it lapses at `lease_until_us` (the dispatch deadline plus
/// `DeliveryLease.grace`). A dispatch whose outcome could not be recorded (a full disk, an I/O
/// error) is therefore claimed again once its deadline has passed, without a restart, as Cloud
/// Tasks retries a dispatch that never answered. The outcome of an attempt is recorded only
/// while the task is still held by that attempt (`dispatch_count` unchanged), so a late answer
/// never overwrites a newer attempt's state.
extension TasksStore {
    /// Adds the dispatch columns and `tasks_failed` after `v1-tasks`.
    static func registerDeliveryMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-tasks-dispatch") { db in
            try db.execute(sql: """
                ALTER TABLE tasks_tasks ADD COLUMN in_flight INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE tasks_tasks ADD COLUMN first_attempt_us INTEGER;
                ALTER TABLE tasks_tasks ADD COLUMN last_response_status INTEGER;
                ALTER TABLE tasks_tasks ADD COLUMN retry_reason TEXT;
                CREATE TABLE tasks_failed (
                    name TEXT PRIMARY KEY, queue TEXT NOT NULL, attempts INTEGER NOT NULL,
                    last_response_status INTEGER, reason TEXT NOT NULL, failed_us INTEGER NOT NULL) WITHOUT ROWID;
                """)
        }
        // `X-CloudTasks-TaskExecutionCount` counts the handler's responses *except 5xx ones*
        // (Cloud Tasks' documentation), unlike the resource's `responseCount`, which counts all.
        migrator.registerMigration("v3-tasks-execution-count") { db in
            try db.execute(sql: "ALTER TABLE tasks_tasks ADD COLUMN execution_count INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v4-tasks-dispatch-lease") { db in
            try db.execute(sql: "ALTER TABLE tasks_tasks ADD COLUMN lease_until_us INTEGER")
        }
    }

    /// Makes every task marked in flight due again (the process that dispatched it is gone).
    @discardableResult
    func releaseInFlight() async throws -> Int {
        try await store.write { db in
            try db.execute(sql: "UPDATE tasks_tasks SET in_flight = 0, lease_until_us = NULL WHERE in_flight = 1")
            return db.changesCount
        }
    }

    /// The settings of every RUNNING queue.
    func runningQueues() async throws -> [DispatchQueueSettings] {
        try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT name, body FROM tasks_queues WHERE state = ?", arguments: [TasksQueue.State.running.number]).map { row in
                var queue = try StoredJSON.decode(TasksQueue.self, from: row["body"])
                queue.name = row["name"]
                return DispatchQueueSettings(queue)
            }
        }
    }

    /// Marks up to `limit` due tasks of a RUNNING `queue` in flight and counts their attempt,
    /// leased until each one's dispatch deadline plus `grace`.
    func claimDue(queue: String, limit: Int, nowMicroseconds now: Int64, grace: Duration = DeliveryLease.grace) async throws -> [ClaimedTask] {
        guard limit > 0 else { return [] }
        return try await store.write { db in
            guard try Int.fetchOne(db, sql: "SELECT state FROM tasks_queues WHERE name = ?", arguments: [queue]) == TasksQueue.State.running.number else {
                return []
            }
            let rows = try Row.fetchAll(db, sql: """
                SELECT name, http_request, schedule_time_us, dispatch_deadline_ns, dispatch_count, execution_count,
                       first_attempt_us, last_response_status, retry_reason
                FROM tasks_tasks WHERE queue = ? AND schedule_time_us <= ? AND (in_flight = 0 OR lease_until_us <= ?)
                ORDER BY schedule_time_us LIMIT ?
                """, arguments: [queue, now, now, limit])
            let mark = try db.cachedStatement(sql: """
                UPDATE tasks_tasks SET in_flight = 1, dispatch_count = dispatch_count + 1, lease_until_us = ?,
                       first_attempt_us = COALESCE(first_attempt_us, ?), first_attempt = COALESCE(first_attempt, ?) WHERE name = ?
                """)
            return try rows.map { row in
                let name: String = row["name"]
                let first = TaskAttempt(scheduleTime: GoogleTimestamp(microseconds: row["schedule_time_us"]), dispatchTime: GoogleTimestamp(microseconds: now))
                let deadline = Duration.nanoseconds(row["dispatch_deadline_ns"] as Int64)
                let leaseEnd = now + (deadline + grace).wholeMicroseconds
                try mark.execute(arguments: [leaseEnd, now, try StoredJSON.encode(first), name])
                return ClaimedTask(
                    name: name,
                    queue: queue,
                    request: try StoredJSON.decode(TasksTask.HTTPRequestTarget.self, from: row["http_request"]),
                    scheduleTimeMicroseconds: row["schedule_time_us"],
                    dispatchDeadline: deadline,
                    retryCount: row["dispatch_count"],
                    executionCount: row["execution_count"],
                    previousResponse: row["last_response_status"],
                    retryReason: row["retry_reason"],
                    firstAttemptMicroseconds: (row["first_attempt_us"] as Int64?) ?? now,
                    dispatchMicroseconds: now,
                    leaseEndMicroseconds: leaseEnd
                )
            }
        }
    }

    /// Records how dispatch number `dispatch` (1 for the first) of `name` ended, with `attempt`
    /// as the task's `lastAttempt`. Does nothing when that dispatch no longer holds the task:
    /// deleted or purged meanwhile, or claimed again after its lease lapsed.
    func finishDispatch(name: String, dispatch: Int, outcome: TaskAttemptOutcome, attempt: TaskAttempt? = nil, nowMicroseconds now: Int64) async throws {
        let lastAttempt = try attempt.map { try StoredJSON.encode($0) }
        try await store.write { db in
            switch outcome {
            case .completed:
                try db.execute(sql: "DELETE FROM tasks_tasks WHERE name = ? AND in_flight = 1 AND dispatch_count = ?", arguments: [name, dispatch])
                if db.changesCount > 0 {
                    try db.execute(sql: "UPDATE tasks_names SET retired_us = ? WHERE name = ?", arguments: [now, name])
                }
            case let .retry(at, status, reason):
                try db.execute(sql: """
                    UPDATE tasks_tasks SET in_flight = 0, schedule_time_us = ?, response_count = response_count + ?,
                           execution_count = execution_count + ?,
                           last_response_status = ?, retry_reason = ?, last_attempt = COALESCE(?, last_attempt), lease_until_us = NULL
                    WHERE name = ? AND in_flight = 1 AND dispatch_count = ?
                    """, arguments: [at, status == nil ? 0 : 1, (status.map { $0 < 500 } ?? false) ? 1 : 0, status, reason, lastAttempt, name, dispatch])
            case let .failed(status, reason):
                guard let row = try Row.fetchOne(db, sql: "SELECT queue, dispatch_count FROM tasks_tasks WHERE name = ? AND in_flight = 1 AND dispatch_count = ?",
                                                 arguments: [name, dispatch]) else {
                    return
                }
                try db.execute(sql: "DELETE FROM tasks_tasks WHERE name = ?", arguments: [name])
                try db.execute(sql: "UPDATE tasks_names SET retired_us = ? WHERE name = ?", arguments: [now, name])
                try db.execute(sql: """
                    INSERT OR REPLACE INTO tasks_failed(name, queue, attempts, last_response_status, reason, failed_us) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [name, row["queue"] as String, row["dispatch_count"] as Int, status, reason, now])
            }
        }
    }

    /// The earliest time a task of `queue` may be claimed: its schedule time, or for a task in
    /// flight the end of its lease.
    func nextDue(queue: String) async throws -> Int64? {
        try await store.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT MIN(CASE WHEN in_flight = 0 THEN schedule_time_us ELSE lease_until_us END)
                FROM tasks_tasks WHERE queue = ?
                """, arguments: [queue])
        }
    }

    // MARK: Visibility

    /// Counters for every queue, by name.
    func queueStats() async throws -> [TaskQueueStats] {
        try await store.read { db in
            let queues = try Row.fetchAll(db, sql: "SELECT name, state FROM tasks_queues ORDER BY name")
            return try queues.map { row in
                let name: String = row["name"]
                let state: Int = row["state"]
                let counts = try Row.fetchOne(db, sql: """
                    SELECT COALESCE(SUM(in_flight = 0), 0) AS pending, COALESCE(SUM(in_flight = 1), 0) AS in_flight,
                           COALESCE(SUM(in_flight = 0 AND dispatch_count > 0), 0) AS retrying
                    FROM tasks_tasks WHERE queue = ?
                    """, arguments: [name])
                let failed = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tasks_failed WHERE queue = ?", arguments: [name]) ?? 0
                var statuses: [Int: Int] = [:]
                for status in try Row.fetchAll(db, sql: """
                    SELECT last_response_status AS status, COUNT(*) AS n FROM tasks_tasks
                    WHERE queue = ? AND last_response_status IS NOT NULL GROUP BY last_response_status
                    """, arguments: [name]) {
                    statuses[status["status"]] = status["n"]
                }
                return TaskQueueStats(
                    queue: name,
                    state: TasksQueue.State.allCases.first { $0.number == state } ?? .running,
                    pending: counts?["pending"] ?? 0,
                    inFlight: counts?["in_flight"] ?? 0,
                    retrying: counts?["retrying"] ?? 0,
                    failed: failed,
                    lastResponseStatuses: statuses
                )
            }
        }
    }

    /// The dispatch state of up to `limit` tasks of `queue`, soonest first.
    func dispatchStates(queue: String, limit: Int = 1000) async throws -> [TaskDispatchState] {
        try await store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT name, dispatch_count, schedule_time_us, last_response_status, in_flight FROM tasks_tasks
                WHERE queue = ? ORDER BY schedule_time_us, name LIMIT ?
                """, arguments: [queue, limit]).map { row in
                TaskDispatchState(name: row["name"], attempts: row["dispatch_count"], nextAttemptMicroseconds: row["schedule_time_us"],
                                  lastResponseStatus: row["last_response_status"], inFlight: row["in_flight"] as Bool)
            }
        }
    }

    /// Tasks of `queue` deleted after their retries ran out, most recent first.
    func failedTasks(queue: String, limit: Int = 100) async throws -> [FailedTask] {
        try await store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT name, queue, attempts, last_response_status, reason FROM tasks_failed WHERE queue = ? ORDER BY failed_us DESC LIMIT ?
                """, arguments: [queue, limit]).map { row in
                FailedTask(name: row["name"], queue: row["queue"], attempts: row["attempts"], lastResponseStatus: row["last_response_status"], reason: row["reason"])
            }
        }
    }
}
