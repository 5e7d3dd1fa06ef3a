import Foundation
import GoogleCloud
import GRDB

/// The emulator's durable state: one SQLite database (WAL) in the data directory, so a restart
/// loses nothing that was acknowledged. Each API adds its tables through `migrator`.
///
/// Durability: WAL with `synchronous=FULL`, so every commit fsyncs the WAL before it returns;
/// writes go through `committer` (group commit) so concurrent requests share that fsync.
/// Only the owner can read the directory and the database (`+Permissions`); space freed by
/// deletes goes back to the file system through incremental vacuum (`+Compaction`).
final class EmulatorStore: Sendable {
    let database: DatabasePool
    let directory: URL
    /// Where every acknowledged write goes.
    let committer: GroupCommitter
    /// Notified after commits that create due work (tasks, messages), for the delivery loops.
    let workSignal = WorkSignal()
    /// Whether the disk takes writes; every failed write is checked against it.
    let health = StoreHealth()
    /// What would break at scale in Google Cloud, noticed as it happens (dashboard, log).
    let scaleWarnings = ScaleWarnings()

    init(directory: URL) throws {
        try Self.makePrivateDirectory(directory)
        self.directory = directory.standardizedFileURL
        let path = directory.appendingPathComponent("emulator.sqlite").path
        try Self.makePrivateDatabaseFiles(at: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA journal_size_limit = \(Self.journalSizeLimit)")
        }
        database = try DatabasePool(path: path, configuration: configuration)
        try Self.enableIncrementalVacuum(in: database)
        committer = GroupCommitter(database: database)
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
        StorageStore.registerMigrations(in: &migrator)
        PubSubStore.registerMigrations(in: &migrator)
        TasksStore.registerMigrations(in: &migrator)
        FirestoreStore.registerMigrations(in: &migrator)
        TriggerDeliverySource.registerMigrations(in: &migrator)
        ServiceAddresses.registerMigrations(in: &migrator)
        ServiceProcesses.registerMigrations(in: &migrator)
        IdentityStore.registerMigrations(in: &migrator)
        return migrator
    }

    /// When this data directory was first used.
    func createdAt() throws -> String? {
        try database.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'created'") }
    }

    /// Runs `body` in a group-committed transaction; returns after the commit is durable.
    /// A full or failing disk is noted in `health`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await committer.write(body)
        } catch {
            health.note(error)
            throw error
        }
    }

    /// Whether a write reaches the disk now: one small transaction, as the disk monitor's probe.
    func probeWrite() async throws {
        try await write { db in
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('disk-probe', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [String(GoogleTimestamp.now().microseconds)])
        }
    }

    /// Reads a consistent snapshot of committed state.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await database.read(body)
    }
}
