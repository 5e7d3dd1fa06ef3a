import Foundation
import GRDB

/// Storage trigger events as a delivery source: the outbox `trigger_deliveries`, filled by
/// `StorageEventHub` in the transaction that changes the object and drained here, retrying with
/// backoff until a 2xx, as Eventarc does. A row goes only after its 2xx, so a crash at any point
/// redelivers (at-least-once) and never loses an event.
///
/// Its claims are leases like the tasks' and pushes': `in_flight` set with the attempt count,
/// `next_at` moved to the end of the lease (the request timeout plus `DeliveryLease.grace`).
struct TriggerDeliverySource: DeliverySource {
    let store: EmulatorStore
    var lane = TriggerLane()

    /// How long one delivery may take: Cloud Run's default request timeout, for an ingest of a
    /// large CSV may take a while.
    static let requestTimeout: Duration = .seconds(300)

    var kind: Invocation.Kind { .trigger }

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
        migrator.registerMigration("v2-trigger-deliveries-lease") { db in
            try db.execute(sql: "ALTER TABLE trigger_deliveries ADD COLUMN in_flight INTEGER NOT NULL DEFAULT 0")
        }
    }

    func releaseInFlight(nowMicroseconds now: Int64) async throws -> Int {
        try await store.write { db in
            try db.execute(sql: "UPDATE trigger_deliveries SET in_flight = 0, next_at = ? WHERE in_flight = 1", arguments: [now])
            return db.changesCount
        }
    }

    func lanes() async throws -> [TriggerLane] { [lane] }

    func nextDue(in lane: TriggerLane) async throws -> Int64? {
        try await store.read { db in try Int64.fetchOne(db, sql: "SELECT MIN(next_at) FROM trigger_deliveries") }
    }

    func claimDue(in lane: TriggerLane, limit: Int, nowMicroseconds now: Int64) async throws -> [TriggerDelivery] {
        guard limit > 0 else { return [] }
        let leaseEnd = now + (Self.requestTimeout + DeliveryLease.grace).wholeMicroseconds
        return try await store.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM trigger_deliveries WHERE next_at <= ? ORDER BY id LIMIT ?", arguments: [now, limit])
            let mark = try db.cachedStatement(sql: "UPDATE trigger_deliveries SET in_flight = 1, attempts = attempts + 1, next_at = ? WHERE id = ?")
            return try rows.map { row in
                let id: Int64 = row["id"]
                try mark.execute(arguments: [leaseEnd, id])
                return TriggerDelivery(
                    id: id, trigger: row["trigger"], service: row["service"], path: row["path"],
                    headers: (try? JSONDecoder().decode([String: String].self, from: Data((row["headers"] as String).utf8))) ?? [:],
                    body: row["body"], attempt: (row["attempts"] as Int) + 1, leaseEndMicroseconds: leaseEnd
                )
            }
        }
    }

    /// Deletes the event after a 2xx; otherwise it is due again after the backoff, with the
    /// status it got (0 for none).
    func record(_ outcome: DeliveryOutcome, of delivery: TriggerDelivery, in lane: TriggerLane, response: DeliveryResponse, nowMicroseconds: Int64) async throws {
        try await store.write { db in
            switch outcome {
            case .delivered:
                try db.execute(sql: "DELETE FROM trigger_deliveries WHERE id = ? AND in_flight = 1 AND attempts = ?", arguments: [delivery.id, delivery.attempt])
            case let .retry(at):
                try db.execute(sql: "UPDATE trigger_deliveries SET in_flight = 0, next_at = ?, last_status = ? WHERE id = ? AND in_flight = 1 AND attempts = ?",
                               arguments: [at, response.status ?? 0, delivery.id, delivery.attempt])
            case .givenUp:
                // The triggers' schedule never gives up; were one to, the event is dropped like an acknowledged one.
                try db.execute(sql: "DELETE FROM trigger_deliveries WHERE id = ? AND in_flight = 1 AND attempts = ?", arguments: [delivery.id, delivery.attempt])
            }
        }
    }

    /// Events not yet delivered, in flight ones included.
    func pendingCount() async throws -> Int {
        try await store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trigger_deliveries") ?? 0 }
    }
}
