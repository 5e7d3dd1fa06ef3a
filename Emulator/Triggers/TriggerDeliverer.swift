import Foundation
import GRDB
import Logging
import Runtime
import ServiceLifecycle

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

    init(
        store: EmulatorStore, hub: StorageEventHub, serviceURLs: @escaping @Sendable () async -> [String: String],
        schedule: PushRetrySchedule = PushRetrySchedule(minimumBackoff: .seconds(1), maximumBackoff: .seconds(60)),
        http: HTTPClient = .shared, recent: RecentInvocations? = nil, logger: Logger
    ) {
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
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    let next = try await deliverDue()
                    await hub.wait(upTo: next)
                }
            }
        } catch is CancellationError {
            // Shutting down; undelivered events stay in the outbox for the next start.
        }
    }

    /// Sends every due delivery; returns how long until the next one is due (at most 1 s).
    func deliverDue() async throws -> Duration {
        let now = GoogleTimestamp.now().microseconds
        let due: [Due] = try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM trigger_deliveries WHERE next_at <= ? ORDER BY id LIMIT 64", arguments: [now]).map { row in
                Due(
                    id: row["id"], trigger: row["trigger"], service: row["service"], path: row["path"],
                    headers: (try? JSONDecoder().decode([String: String].self, from: Data((row["headers"] as String).utf8))) ?? [:],
                    body: row["body"], attempts: row["attempts"]
                )
            }
        }
        let urls = await serviceURLs()
        await withTaskGroup(of: Void.self) { group in
            for delivery in due {
                group.addTask { await deliver(delivery, baseURL: urls[delivery.service]) }
            }
        }
        let nextAt: Int64? = try await store.read { db in try Int64.fetchOne(db, sql: "SELECT MIN(next_at) FROM trigger_deliveries") }
        guard let nextAt else { return .seconds(1) }
        let wait = Duration.microseconds(max(0, nextAt - GoogleTimestamp.now().microseconds))
        return min(wait, .seconds(1))
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
