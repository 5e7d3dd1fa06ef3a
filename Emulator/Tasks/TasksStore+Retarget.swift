import GRDB

extension TasksStore {
    /// Points every stored task whose URL is at `old` (a base URL: the URL itself or anything
    /// under `old/`) at `new` instead, keeping path and query; runs inside the caller's
    /// transaction. Returns how many tasks changed. Used when a service's address moves, so no
    /// pending task keeps a dead address.
    static func retarget(from old: String, to new: String, in db: Database) throws -> Int {
        try db.execute(sql: """
            UPDATE tasks_tasks
            SET http_request = json_set(http_request, '$.url', ? || substr(json_extract(http_request, '$.url'), ?))
            WHERE json_extract(http_request, '$.url') = ? OR substr(json_extract(http_request, '$.url'), 1, ?) = ?
            """, arguments: [new, old.unicodeScalars.count + 1, old, old.unicodeScalars.count + 1, old + "/"])
        return db.changesCount
    }
}
