import Foundation
import GoogleCloud
import Logging
import PipelineModel
import ServiceLifecycle
import Synchronization

/// Pushes the messages of every subscription with a `pushConfig.pushEndpoint`: 102, 200, 201,
/// 202 and 204 acknowledge; anything else, or no answer within the ack deadline, is a nack and
/// the message comes back after the `retryPolicy` backoff. With a dead-letter policy, a message
/// whose attempts reach `maxDeliveryAttempts` is forwarded to the dead-letter topic instead.
final class PushDeliverer: Service {
    private let pubsub: PubSubStore
    private let signal: WorkSignal
    private let health: StoreHealth
    private let gate: DeliveryGate
    private let client: HTTPClient
    private let logger: Logger
    private let recent: RecentInvocations?
    private let now: @Sendable () -> Int64
    private let pollInterval: Duration
    private let maxOutstanding: Int
    /// Pushes outstanding per subscription.
    private let inFlight = Mutex<[String: Int]>([:])

    /// Status codes Pub/Sub takes as an acknowledgement.
    static let acknowledging: Set<Int> = [102, 200, 201, 202, 204]

    /// - Parameters:
    ///   - maxOutstanding: pushes in flight per subscription at most (Pub/Sub's flow control).
    ///   - gate: pushing starts once it opens (the pipeline's addresses are settled).
    init(store: EmulatorStore, client: HTTPClient, logger: Logger, recent: RecentInvocations? = nil, maxOutstanding: Int = 100,
         gate: DeliveryGate = DeliveryGate(open: true),
         now: @escaping @Sendable () -> Int64 = { GoogleTimestamp.now().microseconds }, pollInterval: Duration = .seconds(1)) {
        self.pubsub = PubSubStore(store: store)
        self.signal = store.workSignal
        self.health = store.health
        self.gate = gate
        self.client = client
        self.logger = logger
        self.recent = recent
        self.maxOutstanding = maxOutstanding
        self.now = now
        self.pollInterval = pollInterval
    }

    /// Runs until cancelled or graceful shutdown; outstanding pushes are redelivered after a restart.
    func run() async throws {
        // Only a head start: were this write to fail (a full disk), the marks are leases and lapse.
        _ = try? await pubsub.releaseInFlightPushes(nowMicroseconds: now())
        await cancelWhenGracefulShutdown {
            await self.gate.wait()
            await self.loop()
        }
    }

    /// What a push's answer means for the message.
    static func outcome(status: Int?, message: ClaimedMessage, settings: PushSubscriptionSettings, nowMicroseconds now: Int64) -> PushOutcome {
        if let status, acknowledging.contains(status) { return .acknowledged }
        if let topic = settings.deadLetterTopic, message.attempt >= settings.maxDeliveryAttempts {
            return .deadLetter(topic: topic, status: status)
        }
        let wait = settings.retry.backoff(afterAttempt: message.attempt)
        return .retry(atMicroseconds: now + TaskDispatchPolicy.microseconds(wait), status: status)
    }

    private func loop() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let seen = signal.generation
                var wait = pollInterval
                if health.diskProblem != nil {
                    // Paused: a claim or an outcome could not be recorded. The disk monitor signals.
                    await signal.wait(after: seen, timeout: pollInterval)
                    continue
                }
                do {
                    for settings in try await pubsub.pushSubscriptions() {
                        let free = maxOutstanding - inFlight.withLock { $0[settings.name, default: 0] }
                        guard free > 0 else { continue }
                        // A read first, so an idle subscription costs no write transaction.
                        guard let due = try await pubsub.nextDuePush(subscription: settings.name) else { continue }  // a publish signals
                        if due > now() {
                            wait = min(wait, .microseconds(due - now()))
                            continue
                        }
                        let claimed = try await pubsub.claimDuePushes(subscription: settings.name, limit: free, ackDeadline: settings.ackDeadline, nowMicroseconds: now())
                        if !claimed.isEmpty {
                            inFlight.withLock { $0[settings.name, default: 0] += claimed.count }
                        }
                        for message in claimed {
                            group.addTask { await self.push(message, settings: settings) }
                        }
                        if claimed.count == free {
                            wait = .zero
                        } else if let due = try await pubsub.nextDuePush(subscription: settings.name) {
                            wait = min(wait, .microseconds(max(0, due - now())))
                        }
                    }
                } catch is CancellationError {
                    break
                } catch {
                    logger.error("push delivery scan failed", metadata: ["pixelpipe.error": "\(error)"])
                }
                if wait > .zero {
                    await signal.wait(after: seen, timeout: wait)
                }
            }
        }
    }

    private func push(_ message: ClaimedMessage, settings: PushSubscriptionSettings) async {
        defer {
            inFlight.withLock { $0[settings.name, default: 1] -= 1 }
            signal.notify()
        }
        let start = ContinuousClock.now
        var status: Int?
        do {
            let body = try PushEnvelope(message, withDeliveryAttempt: settings.deadLetterTopic != nil).encoded()
            let response = try await client.execute(HTTPClient.Request(
                method: "POST", url: settings.endpoint,
                headers: [("Content-Type", "application/json"), ("User-Agent", "APIs-Google")],
                body: body, timeout: settings.ackDeadline
            ))
            status = response.status
        } catch {
            if Task.isCancelled { return }
            logger.debug("push got no response", metadata: ["pixelpipe.subscription": "\(settings.name)", "pixelpipe.error": "\(error)"])
        }
        let latency = ContinuousClock.now - start
        let finished = now()
        let outcome = Self.outcome(status: status, message: message, settings: settings, nowMicroseconds: finished)
        let pubsub = pubsub
        let logger = logger
        _ = await DeliveryLease.record(untilMicroseconds: message.leaseEndMicroseconds, now: now) {
            try await pubsub.finishPush(subscription: settings.name, messageID: message.messageID, attempt: message.attempt, outcome: outcome)
        } failed: { error in
            // The lease lapses and the message is pushed again: at-least-once, nothing lost.
            logger.error("recording a push delivery failed; it will be pushed again", metadata: [
                "pixelpipe.subscription": "\(settings.name)", "pixelpipe.message": "\(message.messageID)", "pixelpipe.error": "\(error)",
            ])
        }
        if case .deadLetter = outcome {
            logger.warning("message dead-lettered", metadata: [
                "pixelpipe.subscription": "\(settings.name)", "pixelpipe.message": "\(message.messageID)", "pixelpipe.attempts": "\(message.attempt)",
            ])
        }
        await recent?.record(Invocation(kind: .push, source: settings.name, item: String(message.messageID), target: settings.endpoint,
                                        status: status, latency: latency, timeMicroseconds: finished))
    }
}
