import GRDB

extension Database {
    /// Runs the DELETE `sql` once for each argument list and returns how many rows went in all.
    /// The maintenance finds what to delete with a read, off the writer, then deletes it here by
    /// key with its condition checked again, so the write is as short as the deletes.
    func deleteEach(_ sql: String, arguments: [StatementArguments]) throws -> Int {
        let statement = try cachedStatement(sql: sql)
        var deleted = 0
        for each in arguments {
            try statement.execute(arguments: each)
            deleted += changesCount
        }
        return deleted
    }
}
