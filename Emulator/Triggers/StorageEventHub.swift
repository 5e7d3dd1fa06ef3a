import Foundation
import GoogleCloud
import GRDB
import Synchronization

/// Turns Storage changes into trigger deliveries. `enqueue` runs inside the transaction that
/// records the object change, so an acknowledged upload (or a dropped file the emulator took
/// in) always has its CloudEvents persisted with it in the outbox that `TriggerDeliverySource`
/// drains; `notify` wakes the delivery loops after commit.
final class StorageEventHub: Sendable {
    private let triggers: [Topology.Trigger]
    private let signal: WorkSignal
    private let state = Mutex<(origin: String, pending: Bool)>(("http://127.0.0.1:8085", false))

    /// A hub for `triggers` that wakes the delivery loops waiting on `signal` (the store's).
    init(triggers: [Topology.Trigger], signal: WorkSignal) {
        self.triggers = triggers
        self.signal = signal
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

    /// Wakes the delivery loops if deliveries were enqueued since the last call.
    func notify() {
        let pending = state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
        if pending { signal.notify() }
    }
}
