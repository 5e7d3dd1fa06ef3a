import Foundation
import GoogleCloud
import GRDB
import Logging
import PixelPipeCore
import ServiceLifecycle
import Synchronization

/// Delivers persisted Storage trigger events to their services, retrying with backoff until a
/// 2xx, as Eventarc does. A delivery row is deleted only after its 2xx, so a crash at any point
/// redelivers (at-least-once) and never loses an event.
struct TriggerDeliverer: Service {
    private let store: EmulatorStore
    private let hub: StorageEventHub
    private let serviceURLs: @Sendable () async -> [String: String]
    private let schedule: PushRetrySchedule
    private let http: HTTPClient
    private let logger: Logger
    private let recent: RecentInvocations?
    private let gate: DeliveryGate

    init(
        store: EmulatorStore, hub: StorageEventHub, serviceURLs: @escaping @Sendable () async -> [String: String],
        schedule: PushRetrySchedule = PushRetrySchedule(minimumBackoff: .seconds(1), maximumBackoff: .seconds(60)),
        http: HTTPClient = .shared, recent: RecentInvocations? = nil, gate: DeliveryGate = DeliveryGate(open: true), logger: Logger
    ) {
        self.gate = gate
        self.store = store
        self.hub = hub
        self.serviceURLs = serviceURLs
        self.schedule = schedule
        self.http = http
        self.recent = recent
        self.logger = logger
    }

    private struct Due: Sendable {
        var id: Int64
        var trigger: String
        var service: String
        var path: String
        var headers: [String: String]
        var body: Data
        var attempts: Int
    }

    func run() async throws {
        // Ends on graceful shutdown; undelivered events stay in the outbox for the next start.
        await cancelWhenGracefulShutdown {
            await gate.wait()
            // Each event is sent on its own: a slow service delays only its own deliveries.
            let inFlight = InFlight()
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    if store.health.diskProblem != nil {
                        // Paused like the other deliveries; the disk monitor wakes the hub.
                        await hub.wait(upTo: .seconds(1))
                        continue
                    }
                    do {
                        let (due, next) = try await dueDeliveries(excluding: inFlight.ids)
                        let urls = await serviceURLs()
                        for delivery in due {
                            inFlight.insert(delivery.id)
                            group.addTask {
                                await deliver(delivery, baseURL: urls[delivery.service])
                                inFlight.remove(delivery.id)
                                hub.wake()
                            }
                        }
                        await hub.wait(upTo: next)
                    } catch {
                        if Task.isCancelled { break }
                        logger.error("could not read pending trigger deliveries", metadata: ["pixelpipe.error": "\(error)"])
                        await hub.wait(upTo: .seconds(1))
                    }
                }
            }
        }
    }

    /// Deliveries being sent now, so the loop does not send them twice.
    private final class InFlight: Sendable {
        private let state = Mutex<Set<Int64>>([])
        var ids: Set<Int64> { state.withLock { $0 } }
        func insert(_ id: Int64) { state.withLock { _ = $0.insert(id) } }
        func remove(_ id: Int64) { state.withLock { _ = $0.remove(id) } }
    }

    /// Due deliveries not already being sent, and how long until the next one is due (≤ 1 s).
    private func dueDeliveries(excluding busy: Set<Int64>) async throws -> (due: [Due], next: Duration) {
        let now = GoogleTimestamp.now().microseconds
        return try await store.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM trigger_deliveries WHERE next_at <= ? ORDER BY id LIMIT 256", arguments: [now])
            let due = rows.compactMap { row -> Due? in
                let id: Int64 = row["id"]
                guard !busy.contains(id) else { return nil }
                return Due(
                    id: id, trigger: row["trigger"], service: row["service"], path: row["path"],
                    headers: (try? JSONDecoder().decode([String: String].self, from: Data((row["headers"] as String).utf8))) ?? [:],
                    body: row["body"], attempts: row["attempts"]
                )
            }
            let waiting = try Int64.fetchOne(db, sql: "SELECT MIN(next_at) FROM trigger_deliveries WHERE next_at > ?", arguments: [now])
            let next = waiting.map { Duration.microseconds(max(0, $0 - GoogleTimestamp.now().microseconds)) } ?? .seconds(1)
            return (due, min(next, .seconds(1)))
        }
    }

    private func deliver(_ delivery: Due, baseURL: String?) async {
        let started = ContinuousClock.now
        var received = 0
        if let baseURL {
            let request = HTTPClient.Request(
                method: "POST", url: baseURL + delivery.path,
                headers: delivery.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                // Cloud Run's default request timeout: an ingest of a large CSV may take a while.
                body: delivery.body, timeout: .seconds(300)
            )
            received = (try? await http.execute(request))?.status ?? 0
        }
        let status = received
        await recent?.record(Invocation(
            kind: .trigger, source: delivery.trigger, item: delivery.headers["ce-id"] ?? "", target: (baseURL ?? "(no URL for \(delivery.service))") + delivery.path,
            status: status == 0 ? nil : status, latency: ContinuousClock.now - started, timeMicroseconds: GoogleTimestamp.now().microseconds
        ))
        do {
            if (200..<300).contains(status) {
                try await store.write { db in try db.execute(sql: "DELETE FROM trigger_deliveries WHERE id = ?", arguments: [delivery.id]) }
            } else {
                let attempts = delivery.attempts + 1
                let nextAt = GoogleTimestamp.now().microseconds + schedule.backoff(afterAttempt: attempts).milliseconds * 1000
                try await store.write { db in
                    try db.execute(sql: "UPDATE trigger_deliveries SET attempts = ?, next_at = ?, last_status = ? WHERE id = ?",
                                   arguments: [attempts, nextAt, status, delivery.id])
                }
                logger.warning("trigger delivery failed; will retry", metadata: [
                    "pixelpipe.trigger": .string(delivery.trigger), "pixelpipe.status": .stringConvertible(status),
                    "pixelpipe.attempt": .stringConvertible(attempts),
                ])
            }
        } catch {
            logger.error("could not record a trigger delivery", metadata: ["pixelpipe.error": "\(error)"])
        }
    }
}
