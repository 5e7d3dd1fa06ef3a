import Foundation
import GoogleCloud
import GRDB
import Synchronization
import Testing

@testable import Emulator

/// The database maintenance: task names forgotten after the de-duplication window, deleted
/// queues and acknowledged or expired messages leaving no rows, freed pages given back, and all
/// of it in steps short enough that API writes go on meanwhile.
@Suite("Store: maintenance")
struct StoreMaintenanceTests {
    static let queue = "projects/demo/locations/here/queues/q"

    /// A maintenance pass with the window and steps a test needs.
    static func maintenance(_ store: EmulatorStore, window: Duration = .seconds(3600), batchSize: Int = 1000,
                            keptFreePages: Int = 0) -> StoreMaintenance {
        StoreMaintenance(store: store, configuration: .init(taskNameRetention: window, batchSize: batchSize, keptFreePages: keptFreePages),
                         logger: DeliveryHarness.logger)
    }

    static func count(_ store: EmulatorStore, _ sql: String) async throws -> Int {
        try await store.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    /// Whether creating task `id` again is refused as a duplicate.
    static func isRefused(_ store: EmulatorStore, _ id: String) async throws -> Bool {
        do {
            try await DeliveryHarness.makeTask(store, queue: queue, id: id, url: "http://127.0.0.1:9/")
            return false
        } catch let error as Emulator.GoogleAPIError where error.code == .alreadyExists {
            return true
        }
    }

    /// `count` retired task names with long names, retired two hours ago, written in a few
    /// transactions: rows for the maintenance to delete.
    static func insertRetiredNames(_ store: EmulatorStore, count: Int) async throws {
        let retired = GoogleTimestamp.now().microseconds - 7_200_000_000
        for start in stride(from: 0, to: count, by: 5000) {
            try await store.write { db in
                let insert = try db.cachedStatement(sql: "INSERT INTO tasks_names(name, queue, retired_us) VALUES (?, ?, ?)")
                for index in start..<min(start + 5000, count) {
                    try insert.execute(arguments: ["\(queue)/tasks/\(String(repeating: "x", count: 200))-\(index)", queue, retired])
                }
            }
        }
    }

    @Test("a retired task name is refused inside the window and forgotten after it; a live task's name never is")
    func nameWindow() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue)
            let tasks = TasksStore(store: store)
            for id in ["old", "recent", "live"] {
                try await DeliveryHarness.makeTask(store, queue: Self.queue, id: id, url: "http://127.0.0.1:9/")
            }
            try await tasks.deleteTask(name: "\(Self.queue)/tasks/old")
            try await tasks.deleteTask(name: "\(Self.queue)/tasks/recent")
            let twoHoursAgo = GoogleTimestamp.now().microseconds - 7_200_000_000
            try await store.write { db in
                try db.execute(sql: "UPDATE tasks_names SET retired_us = ? WHERE name = ?", arguments: [twoHoursAgo, "\(Self.queue)/tasks/old"])
            }

            let report = try await Self.maintenance(store, window: .seconds(3600)).runPass()
            #expect(report.forgottenTaskNames == 1)
            #expect(try await Self.isRefused(store, "recent"))
            #expect(try await Self.isRefused(store, "live"))
            #expect(try await !Self.isRefused(store, "old"))

            // Even with no window at all, the name of a task that still exists stays.
            try await Self.maintenance(store, window: .zero).runPass()
            #expect(try await Self.isRefused(store, "live"))
            #expect(try await !Self.isRefused(store, "recent"))
        }
    }

    @Test("a deleted queue leaves no rows: its tasks and failures at once, its names after the window", .timeLimit(.minutes(1)))
    func deletedQueueLeavesNothing() async throws {
        try await DeliveryHarness.withStore { store in
            try await DeliveryHarness.makeQueue(store, Self.queue, retry: .init(maxAttempts: 1))
            let handler = TestHandler()
            try await handler.run(respond: { arrival, _ in String(decoding: arrival.body, as: UTF8.self) == "fail" ? (500, [:]) : (200, [:]) }) { url in
                let dispatcher = TaskDispatcher(store: store, client: HTTPClient(), logger: DeliveryHarness.logger)
                try await DeliveryHarness.running(dispatcher) {
                    for index in 0..<10 {
                        try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "t\(index)", url: url, body: index < 3 ? "fail" : "ok")
                    }
                    try await DeliveryHarness.eventually("every task to finish") {
                        try await Self.count(store, "SELECT COUNT(*) FROM tasks_tasks") == 0
                    }
                }
            }
            try await DeliveryHarness.makeTask(store, queue: Self.queue, id: "pending", url: "http://127.0.0.1:9/")
            #expect(try await Self.count(store, "SELECT COUNT(*) FROM tasks_failed") == 3)

            try await TasksStore(store: store).deleteQueue(name: Self.queue)
            #expect(try await Self.count(store, "SELECT COUNT(*) FROM tasks_tasks") == 0)
            #expect(try await Self.count(store, "SELECT COUNT(*) FROM tasks_failed") == 0)
            #expect(try await Self.count(store, "SELECT COUNT(*) FROM tasks_names") == 11)  // inside the window

            try await Self.maintenance(store, window: .seconds(3600)).runPass()
            #expect(try await Self.count(store, "SELECT COUNT(*) FROM tasks_names") == 11)
            try await Self.maintenance(store, window: .zero).runPass()
            for table in ["tasks_queues", "tasks_tasks", "tasks_failed", "tasks_names"] {
                #expect(try await Self.count(store, "SELECT COUNT(*) FROM \(table)") == 0, "\(table)")
            }
        }
    }

    @Test("maintenance gives freed pages back: the free list empties and the file shrinks")
    func reclaimsPages() async throws {
        try await DeliveryHarness.withStore { store in
            try await Self.insertRetiredNames(store, count: 20_000)
            #expect(try await store.truncateWAL())
            let full = store.fileSizes().database

            // The rows go, but their pages stay in the file, on the free list.
            var forgotten = 0
            while case let done = try await TasksStore(store: store).forgetNames(retiredBefore: GoogleTimestamp.now().microseconds, limit: 5000), done > 0 {
                forgotten += done
            }
            #expect(forgotten == 20_000)
            #expect(try await store.truncateWAL())
            let freed = try await store.freePageCount()
            #expect(freed > full / 4096 / 2)
            #expect(store.fileSizes().database == full)

            let report = try await Self.maintenance(store).runPass()
            #expect(report.vacuumedPages >= freed - 1)
            #expect(try await store.freePageCount() == 0)
            #expect(report.truncatedWAL)
            #expect(store.fileSizes().wal == 0)
            #expect(store.fileSizes().database < full / 4)
        }
    }

    @Test("maintenance deletes in short steps, so API writes go through while it works")
    func doesNotHoldTheWriter() async throws {
        try await DeliveryHarness.withStore { store in
            let total = 20_000
            let batch = 100
            try await Self.insertRetiredNames(store, count: total)
            let maintenance = Self.maintenance(store, batchSize: batch)
            let pass = Task { try await maintenance.runPass() }
            // Writes like the API's, each reading, inside its own transaction, how many of the
            // names to forget are still there.
            var seen: [Int] = []
            var index = 0
            while true {
                let remaining = try await store.write { [index] db in
                    try db.execute(sql: "INSERT INTO meta(key, value) VALUES (?, 'api')", arguments: ["write-\(index)"])
                    return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tasks_names") ?? 0
                }
                seen.append(remaining)
                index += 1
                if remaining == 0 { break }
            }
            let report = try await pass.value
            #expect(report.forgottenTaskNames == total)
            // Some writes committed while the clean-up was half done…
            #expect(seen.contains { $0 > 0 && $0 < total })
            // …and each of the clean-up's transactions deleted at most one batch.
            #expect(seen.allSatisfy { (total - $0) % batch == 0 })
        }
    }

    @Test("an idle database gets its WAL truncated; a busy one does not")
    func truncatesWALWhenIdle() async throws {
        try await DeliveryHarness.withStore { store in
            let maintenance = Self.maintenance(store)
            try await store.write { db in try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('k', 'v')") }
            #expect(store.fileSizes().wal > 0)
            // The first pass has nothing to compare with; the second sees no commit in between.
            #expect(try await maintenance.runPass().truncatedWAL == false)
            #expect(try await maintenance.runPass().truncatedWAL)
            #expect(store.fileSizes().wal == 0)
            #expect(try await maintenance.runPass().truncatedWAL == false)  // nothing new to truncate
            try await store.write { db in try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('k2', 'v')") }
            #expect(try await maintenance.runPass().truncatedWAL == false)  // written since the last pass
            #expect(try await maintenance.runPass().truncatedWAL)
        }
    }

    @Test("a database made without incremental auto-vacuum is switched at open, its data kept")
    func switchesExistingDatabase() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            let old = try DatabasePool(path: directory.appendingPathComponent("emulator.sqlite").path)
            try EmulatorStore.migrator.migrate(old)
            try await old.write { db in try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('kept', 'yes')") }
            #expect(try await old.read { db in try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") } == 0)
            try old.close()
        }
        let store = try EmulatorStore(directory: directory)
        #expect(try await store.read { db in try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") } == EmulatorStore.incrementalAutoVacuum)
        #expect(try await store.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'kept'") } == "yes")
    }
}
