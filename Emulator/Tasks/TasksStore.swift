import Foundation
import GoogleCloud
import GRDB

/// Queues and tasks in SQLite. A task's name is remembered in `tasks_names` from creation on,
/// and stays there after the task completes or is deleted, so reusing it is refused with
/// `ALREADY_EXISTS` as Cloud Tasks does, until `StoreMaintenance` forgets it once Cloud Tasks'
/// de-duplication window has passed (`+Retention`).
struct TasksStore: Sendable {
    let store: EmulatorStore

    /// Cloud Tasks' default and limits for `dispatchDeadline` of HTTP tasks.
    static let defaultDispatchDeadline = GoogleDuration.seconds(600)
    static let dispatchDeadlineRange: ClosedRange<Int64> = 15_000_000_000...1_800_000_000_000

    static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-tasks") { db in
            try db.execute(sql: """
                CREATE TABLE tasks_queues (
                    name TEXT PRIMARY KEY, body TEXT NOT NULL, state INTEGER NOT NULL, purge_time_us INTEGER) WITHOUT ROWID;
                CREATE TABLE tasks_tasks (
                    name TEXT PRIMARY KEY, queue TEXT NOT NULL, http_request TEXT NOT NULL,
                    schedule_time_us INTEGER NOT NULL, create_time_us INTEGER NOT NULL, dispatch_deadline_ns INTEGER NOT NULL,
                    dispatch_count INTEGER NOT NULL DEFAULT 0, response_count INTEGER NOT NULL DEFAULT 0,
                    first_attempt TEXT, last_attempt TEXT) WITHOUT ROWID;
                CREATE INDEX tasks_tasks_due ON tasks_tasks(queue, schedule_time_us);
                CREATE TABLE tasks_names (name TEXT PRIMARY KEY, queue TEXT NOT NULL, retired_us INTEGER) WITHOUT ROWID;
                """)
        }
        registerDeliveryMigrations(in: &migrator)
        registerRetentionMigrations(in: &migrator)
    }

    // MARK: Queues

    func createQueue(_ queue: TasksQueue) async throws -> TasksQueue {
        let name = queue.name ?? ""
        let text = try StoredJSON.encode(queue)
        return try await store.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM tasks_queues WHERE name = ?", arguments: [name]) == true {
                throw GoogleAPIError.alreadyExists("Queue already exists: \(name).")
            }
            try db.execute(sql: "INSERT INTO tasks_queues(name, body, state) VALUES (?, ?, ?)",
                           arguments: [name, text, (queue.state ?? .running).number])
            return queue
        }
    }

    func queue(name: String) async throws -> TasksQueue {
        try await store.read { db in try Self.queue(name: name, in: db) }
    }

    /// Every queue, by name.
    func allQueues() async throws -> [TasksQueue] {
        try await store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM tasks_queues ORDER BY name").map { try Self.queue(name: $0, in: db) }
        }
    }

    func listQueues(parent: String, pageSize: Int, after: String?) async throws -> (queues: [TasksQueue], next: String?) {
        let prefix = parent + "/queues/"
        return try await store.read { db in
            let names = try String.fetchAll(db, sql: """
                SELECT name FROM tasks_queues WHERE name >= ? AND name < ? AND name > ? ORDER BY name LIMIT ?
                """, arguments: [prefix, prefix + "\u{10FFFF}", after ?? "", pageSize + 1])
            let page = try names.prefix(pageSize).map { try Self.queue(name: $0, in: db) }
            return (page, names.count > pageSize ? page.last?.name : nil)
        }
    }

    /// Deletes the queue, its tasks and the record of its failed tasks; the names stay
    /// remembered for the de-duplication window.
    func deleteQueue(name: String) async throws {
        try await store.write { db in
            _ = try Self.queue(name: name, in: db)
            try Self.retireTasks(queue: name, in: db)
            try db.execute(sql: "DELETE FROM tasks_failed WHERE queue = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM tasks_queues WHERE name = ?", arguments: [name])
        }
    }

    func setState(_ state: TasksQueue.State, queue name: String) async throws -> TasksQueue {
        let queue = try await store.write { db in
            _ = try Self.queue(name: name, in: db)
            try db.execute(sql: "UPDATE tasks_queues SET state = ? WHERE name = ?", arguments: [state.number, name])
            return try Self.queue(name: name, in: db)
        }
        store.workSignal.notify()
        return queue
    }

    /// Deletes every task in the queue and records the purge time.
    func purge(queue name: String) async throws -> TasksQueue {
        try await store.write { db in
            _ = try Self.queue(name: name, in: db)
            try Self.retireTasks(queue: name, in: db)
            try db.execute(sql: "UPDATE tasks_queues SET purge_time_us = ? WHERE name = ?", arguments: [GoogleTimestamp.now().microseconds, name])
            return try Self.queue(name: name, in: db)
        }
    }

    // MARK: Tasks

    /// Stores a new task; 404 when the queue is missing, 409 when the name is or was in use.
    func createTask(queue: String, task: TasksTask) async throws -> TasksTask {
        let name = task.name ?? ""
        let request = try StoredJSON.encode(task.httpRequest ?? .init())
        let schedule = task.scheduleTime?.microseconds ?? 0
        let deadline = (task.dispatchDeadline ?? Self.defaultDispatchDeadline).nanoseconds
        let created = try await store.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM tasks_queues WHERE name = ?", arguments: [queue]) == true else {
                throw GoogleAPIError.notFound("Queue does not exist: \(queue).")
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM tasks_names WHERE name = ?", arguments: [name]) == true {
                throw GoogleAPIError.alreadyExists("Requested entity already exists: the task name \(name) is in use or was used recently.")
            }
            let now = GoogleTimestamp.now().microseconds
            try db.execute(sql: "INSERT INTO tasks_names(name, queue) VALUES (?, ?)", arguments: [name, queue])
            try db.execute(sql: """
                INSERT INTO tasks_tasks(name, queue, http_request, schedule_time_us, create_time_us, dispatch_deadline_ns)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [name, queue, request, schedule == 0 ? now : schedule, now, deadline])
            return try Self.task(name: name, in: db)!
        }
        store.workSignal.notify()
        return created
    }

    func task(name: String) async throws -> TasksTask {
        try await store.read { db in
            guard let task = try Self.task(name: name, in: db) else { throw GoogleAPIError.notFound("Task does not exist: \(name).") }
            return task
        }
    }

    func listTasks(queue: String, pageSize: Int, after: String?) async throws -> (tasks: [TasksTask], next: String?) {
        try await store.read { db in
            _ = try Self.queue(name: queue, in: db)
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM tasks_tasks WHERE queue = ? AND name > ? ORDER BY name LIMIT ?
                """, arguments: [queue, after ?? "", pageSize + 1])
            let page = try rows.prefix(pageSize).map(Self.task(row:))
            return (page, rows.count > pageSize ? page.last?.name : nil)
        }
    }

    /// Deletes a task; its name stays remembered.
    func deleteTask(name: String) async throws {
        try await store.write { db in
            try db.execute(sql: "DELETE FROM tasks_tasks WHERE name = ?", arguments: [name])
            guard db.changesCount > 0 else { throw GoogleAPIError.notFound("Task does not exist: \(name).") }
            try db.execute(sql: "UPDATE tasks_names SET retired_us = ? WHERE name = ?", arguments: [GoogleTimestamp.now().microseconds, name])
        }
    }

    // MARK: Rows

    static func queue(name: String, in db: Database) throws -> TasksQueue {
        guard let row = try Row.fetchOne(db, sql: "SELECT body, state, purge_time_us FROM tasks_queues WHERE name = ?", arguments: [name]) else {
            throw GoogleAPIError.notFound("Queue does not exist: \(name).")
        }
        var queue = try StoredJSON.decode(TasksQueue.self, from: row["body"])
        let state: Int = row["state"]
        queue.state = TasksQueue.State.allCases.first { $0.number == state } ?? .running
        queue.purgeTime = (row["purge_time_us"] as Int64?).map(GoogleTimestamp.init(microseconds:))
        return queue
    }

    static func task(name: String, in db: Database) throws -> TasksTask? {
        try Row.fetchOne(db, sql: "SELECT * FROM tasks_tasks WHERE name = ?", arguments: [name]).map(task(row:))
    }

    private static func task(row: Row) throws -> TasksTask {
        TasksTask(
            name: row["name"],
            httpRequest: try StoredJSON.decode(TasksTask.HTTPRequestTarget.self, from: row["http_request"]),
            scheduleTime: GoogleTimestamp(microseconds: row["schedule_time_us"]),
            createTime: GoogleTimestamp(microseconds: row["create_time_us"]),
            dispatchDeadline: GoogleDuration(nanoseconds: row["dispatch_deadline_ns"]),
            dispatchCount: row["dispatch_count"],
            responseCount: row["response_count"],
            firstAttempt: try (row["first_attempt"] as String?).map { try StoredJSON.decode(JSONValue.self, from: $0) },
            lastAttempt: try (row["last_attempt"] as String?).map { try StoredJSON.decode(JSONValue.self, from: $0) }
        )
    }

    private static func retireTasks(queue: String, in db: Database) throws {
        try db.execute(sql: """
            UPDATE tasks_names SET retired_us = ? WHERE name IN (SELECT name FROM tasks_tasks WHERE queue = ?)
            """, arguments: [GoogleTimestamp.now().microseconds, queue])
        try db.execute(sql: "DELETE FROM tasks_tasks WHERE queue = ?", arguments: [queue])
    }
}
