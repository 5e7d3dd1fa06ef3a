import Foundation
import GRDB

/// The emulator's durable state: one SQLite database (WAL) in the data directory, so a restart
/// loses nothing that was acknowledged. Each API adds its tables through `migrator`.
final class EmulatorStore: Sendable {
    let database: DatabasePool
    let directory: URL

    init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        database = try DatabasePool(path: directory.appendingPathComponent("emulator.sqlite").path, configuration: configuration)
        try Self.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-meta") { db in
            try db.create(table: "meta") { table in
                table.primaryKey("key", .text)
                table.column("value", .text).notNull()
            }
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('created', datetime('now'))")
        }
        return migrator
    }

    /// When this data directory was first used.
    func createdAt() throws -> String? {
        try database.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'created'") }
    }
}
