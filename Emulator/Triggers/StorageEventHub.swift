import Foundation
import GoogleCloud
import GRDB
import Synchronization

/// Turns Storage changes into trigger deliveries. `enqueue` runs inside the transaction that
/// records the object change, so an acknowledged upload (or a dropped file the emulator took
/// in) always has its CloudEvents persisted with it; `notify` wakes the deliverer after commit.
final class StorageEventHub: Sendable {
    private let triggers: [Topology.Trigger]
    private let state = Mutex<(origin: String, waiters: [CheckedContinuation<Void, Never>], pending: Bool)>(("http://127.0.0.1:8085", [], false))

    init(triggers: [Topology.Trigger]) {
        self.triggers = triggers
    }

    static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-trigger-deliveries") { db in
            try db.execute(sql: """
                CREATE TABLE trigger_deliveries (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    trigger TEXT NOT NULL,
                    service TEXT NOT NULL,
                    path TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    headers TEXT NOT NULL,
                    body BLOB NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_at INTEGER NOT NULL,
                    last_status INTEGER,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX trigger_deliveries_due ON trigger_deliveries(next_at);
                """)
        }
    }

    /// The emulator's own URL, used in the object resources' links.
    func setOrigin(_ origin: String) {
        state.withLock { $0.origin = origin }
    }

    /// Records one delivery per trigger matching `type` on `object` (inside the caller's transaction).
    func enqueue(_ type: String, object: StoredObject, in db: Database) throws {
        let matching = triggers.filter { $0.matches(bucket: object.bucket, name: object.name, event: type) }
        guard !matching.isEmpty else { return }
        let origin = state.withLock { $0.origin }
        let event = StorageCloudEvent(type: type, object: object, origin: origin)
        let headers = String(decoding: try JSONEncoder().encode(event.headers), as: UTF8.self)
        let body = try event.body()
        let now = GoogleTimestamp.now().microseconds
        for trigger in matching {
            try db.execute(
                sql: "INSERT INTO trigger_deliveries (trigger, service, path, event_id, headers, body, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [trigger.name, trigger.service, trigger.path, event.id, headers, body, now, now]
            )
        }
        state.withLock { $0.pending = true }
    }

    /// Wakes the deliverer: a delivery finished, so more may be sent.
    func wake() {
        state.withLock { $0.pending = true }
        notify()
    }

    /// Wakes the deliverer if deliveries were enqueued.
    func notify() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.pending else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits for `notify` after an enqueue, or until `limit` passes.
    func wait(upTo limit: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLock { state -> Bool in
                        if state.pending {
                            state.pending = false
                            return true
                        }
                        state.waiters.append(continuation)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
            // Release a waiter left behind by the timeout so it does not leak.
            let stale = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in stale { waiter.resume() }
        }
        state.withLock { $0.pending = false }
    }
}
