import Foundation
import GRDB

/// How long a task's name is remembered after the task is gone. Cloud Tasks refuses a name for
/// about an hour after its task was deleted or ran (its documented de-duplication window) and
/// then forgets it; the emulator does the same, with the window configurable, so `tasks_names`
/// does not grow by one row per task for the life of the data directory.
extension TasksStore {
    /// Cloud Tasks' de-duplication window for the name of a deleted or completed task.
    static let defaultNameRetention: Duration = .seconds(3600)

    /// Indexes for the clean-up, and one sweep of the failure records of queues deleted before
    /// `deleteQueue` removed them.
    static func registerRetentionMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-tasks-retention") { db in
            try db.execute(sql: """
                CREATE INDEX tasks_names_retired ON tasks_names(retired_us) WHERE retired_us IS NOT NULL;
                CREATE INDEX tasks_failed_queue ON tasks_failed(queue);
                DELETE FROM tasks_failed WHERE queue NOT IN (SELECT name FROM tasks_queues);
                """)
        }
    }

    /// Forgets up to `limit` names whose task was deleted, completed or given up before
    /// `cutoff` (microseconds since the epoch), oldest first; returns how many. The search is a
    /// read and the write deletes by key, so the writer is held only for the deletes; nothing is
    /// written when there is nothing to forget. Names of tasks that still exist are never
    /// touched (their `retired_us` is NULL).
    func forgetNames(retiredBefore cutoff: Int64, limit: Int) async throws -> Int {
        let names = try await store.read { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM tasks_names WHERE retired_us IS NOT NULL AND retired_us < ? ORDER BY retired_us LIMIT ?
                """, arguments: [cutoff, limit])
        }
        guard !names.isEmpty else { return 0 }
        return try await store.write { db in
            try db.deleteEach("DELETE FROM tasks_names WHERE name = ? AND retired_us < ?", arguments: names.map { [$0, cutoff] })
        }
    }
}
