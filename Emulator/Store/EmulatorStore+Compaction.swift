import Foundation
import GRDB
import PixelPipeCore

/// How the database gives space back: incremental auto-vacuum, so pages freed by deletes are
/// returned to the file system a few at a time by `StoreMaintenance` instead of by a VACUUM that
/// would hold the only writer for as long as it takes to rewrite the file; and a WAL kept small.
extension EmulatorStore {
    /// The WAL is cut back to this size whenever SQLite starts it over after a checkpoint, so one
    /// burst of writes does not leave a large file behind for the life of the process.
    static let journalSizeLimit = 32 << 20
    /// `PRAGMA auto_vacuum` value for INCREMENTAL.
    static let incrementalAutoVacuum = 2

    /// Switches the database to incremental auto-vacuum. A new database switches at no cost; one
    /// made before (auto-vacuum NONE) needs one VACUUM to switch, which rewrites the file once,
    /// here at open, before anything else uses it. Its WAL is then checkpointed and truncated,
    /// since a VACUUM in WAL mode writes the whole database through the WAL.
    /// A disk too full for the copy VACUUM makes (about the database's size) leaves the database
    /// as it is, to be switched at a later start: an emulator on a full disk still starts.
    static func enableIncrementalVacuum(in database: DatabasePool) throws {
        do {
            try database.writeWithoutTransaction { db in
                guard try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") != incrementalAutoVacuum else { return }
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                try db.execute(sql: "VACUUM")
                try db.checkpoint(.truncate)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            return
        }
    }

    /// Pages on the free list: freed by deletes and not yet given back to the file system.
    func freePageCount() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0 }
    }

    /// Gives up to `pages` free pages back to the file system in one short write (the file
    /// shrinks once the WAL is checkpointed).
    func incrementalVacuum(pages: Int) async throws {
        try await write { db in try db.execute(sql: "PRAGMA incremental_vacuum(\(max(pages, 1)))") }
    }

    /// Copies the WAL into the database and truncates it to zero bytes. This holds the writer
    /// while it waits for readers, so it waits at most `readerWait` and then gives up, returning
    /// false; the next idle moment tries again.
    func truncateWAL(readerWait: Duration = .milliseconds(200)) async throws -> Bool {
        let milliseconds = Int(readerWait.timeInterval * 1000)
        return try await database.writeWithoutTransaction { db in
            let usual = try Int.fetchOne(db, sql: "PRAGMA busy_timeout") ?? 0
            try db.execute(sql: "PRAGMA busy_timeout = \(milliseconds)")
            defer { try? db.execute(sql: "PRAGMA busy_timeout = \(usual)") }
            do {
                try db.checkpoint(.truncate)
                return true
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                return false
            }
        }
    }

    /// Bytes of the database file and its WAL on disk.
    func fileSizes() -> (database: Int, wal: Int) {
        func size(_ name: String) -> Int {
            let path = directory.appendingPathComponent(name).path
            return ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        }
        return (size("emulator.sqlite"), size("emulator.sqlite-wal"))
    }
}
