import Foundation
import GRDB
import Testing

@testable import Emulator

/// The data directory and its database are readable by their owner only.
@Suite("Store: file permissions")
struct StorePermissionsTests {
    static func mode(_ url: URL) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) & 0o777
    }

    @Test("a new data directory is 0700 and emulator.sqlite, -wal and -shm are 0600")
    func newDirectory() async throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-modes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: parent) }
        let directory = parent.appendingPathComponent("data")
        let store = try EmulatorStore(directory: directory)
        try await store.write { db in try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('k', 'v')") }
        #expect(try Self.mode(directory) == 0o700)
        for name in ["emulator.sqlite", "emulator.sqlite-wal", "emulator.sqlite-shm"] {
            #expect(try Self.mode(directory.appendingPathComponent(name)) == 0o600, "\(name)")
        }
    }

    @Test("an existing 0755 directory and 0644 database files are tightened at open")
    func existingDirectory() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-modes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let names = ["emulator.sqlite", "emulator.sqlite-wal", "emulator.sqlite-shm"]
        // An older emulator's database, its WAL and shared memory files still there (a
        // connection of its own keeps them), all readable by anyone.
        let old = try DatabaseQueue(path: directory.appendingPathComponent("emulator.sqlite").path)
        defer { try? old.close() }
        try await old.writeWithoutTransaction { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "CREATE TABLE leftover(x); INSERT INTO leftover VALUES (1)")
        }
        for name in names {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: directory.appendingPathComponent(name).path)
        }
        #expect(try Self.mode(directory) == 0o755)

        let store = try EmulatorStore(directory: directory)
        #expect(try Self.mode(directory) == 0o700)
        for name in names {
            #expect(try Self.mode(directory.appendingPathComponent(name)) == 0o600, "\(name)")
        }
        #expect(try await store.read { db in try Int.fetchOne(db, sql: "SELECT x FROM leftover") } == 1)
    }

    @Test("an existing folder that is not a data directory yet (--data-dir ., a project folder) keeps its mode; the database in it is 0600")
    func foreignFolderKeepsItsMode() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-modes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        _ = try EmulatorStore(directory: directory)
        #expect(try Self.mode(directory) == 0o755)
        #expect(try Self.mode(directory.appendingPathComponent("emulator.sqlite")) == 0o600)
    }
}
