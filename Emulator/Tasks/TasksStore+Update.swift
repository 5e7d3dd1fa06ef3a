import Foundation
import GoogleCloud
import GRDB

/// `UpdateQueue` (`gcloud tasks queues update`), `RunTask` (`gcloud tasks run`) and the
/// locations that hold queues.
extension TasksStore {
    /// The queue fields an update mask may name (`name`, `state` and `purgeTime` are not set this way).
    static let updatableQueueFields: Set<String> = ["rateLimits", "retryConfig", "stackdriverLoggingConfig", "appEngineRoutingOverride", "httpTarget"]

    /// Copies the masked fields of `patch` onto the queue (every field `patch` sets when the mask
    /// is empty) and fills in the defaults again. As in Cloud Tasks, a queue that does not exist
    /// is created.
    func updateQueue(name: String, patch: TasksQueue, mask: UpdateMask) async throws -> TasksQueue {
        try mask.check(allowed: Self.updatableQueueFields, request: "UpdateQueueRequest", resource: "Queue")
        var effective = mask
        if mask.isEmpty {
            let set: [(String, Bool)] = [
                ("rateLimits", patch.rateLimits != nil), ("retryConfig", patch.retryConfig != nil),
                ("stackdriverLoggingConfig", patch.stackdriverLoggingConfig != nil),
                ("appEngineRoutingOverride", patch.appEngineRoutingOverride != nil), ("httpTarget", patch.httpTarget != nil),
            ]
            effective = UpdateMask(set.filter(\.1).map(\.0))
        }
        let mask = effective
        let updated = try await store.write { db -> TasksQueue in
            guard let text = try String.fetchOne(db, sql: "SELECT body FROM tasks_queues WHERE name = ?", arguments: [name]) else {
                var created = try mask.apply(patch, to: TasksQueue(name: name))
                created.name = name
                created.purgeTime = nil
                created.state = .running
                let queue = try created.withDefaults()
                try db.execute(sql: "INSERT INTO tasks_queues(name, body, state) VALUES (?, ?, ?)",
                               arguments: [name, try StoredJSON.encode(queue), TasksQueue.State.running.number])
                return queue
            }
            var queue = try mask.apply(patch, to: try StoredJSON.decode(TasksQueue.self, from: text))
            queue.name = name
            queue = try queue.withDefaults()
            try db.execute(sql: "UPDATE tasks_queues SET body = ? WHERE name = ?", arguments: [try StoredJSON.encode(queue), name])
            return try Self.queue(name: name, in: db)
        }
        store.workSignal.notify()
        return updated
    }

    /// Makes the task due now, whatever its schedule, and returns it; a task already being
    /// dispatched is left to that dispatch. 404 once the task has completed or been given up.
    func runTask(name: String) async throws -> TasksTask {
        let task = try await store.write { db -> TasksTask in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM tasks_tasks WHERE name = ?", arguments: [name]) == true else {
                throw GoogleAPIError.notFound("Task does not exist: \(name).")
            }
            try db.execute(sql: "UPDATE tasks_tasks SET schedule_time_us = ? WHERE name = ? AND in_flight = 0",
                           arguments: [GoogleTimestamp.now().microseconds, name])
            return try Self.task(name: name, in: db)!
        }
        store.workSignal.notify()
        return task
    }

    /// The location ids of `project` that hold queues.
    func locations(project: String) async throws -> [String] {
        let prefix = "projects/\(project)/locations/"
        return try await store.read { db in
            let names = try String.fetchAll(db, sql: "SELECT name FROM tasks_queues WHERE name >= ? AND name < ?",
                                            arguments: [prefix, prefix + "\u{10FFFF}"])
            return Array(Set(names.compactMap { $0.dropFirst(prefix.count).split(separator: "/").first.map(String.init) }))
        }
    }
}
