import Foundation
import GoogleCloud
import Logging
import ServiceLifecycle
import Synchronization

/// The emulator's one delivery loop, for Cloud Tasks dispatch, Pub/Sub push and storage
/// triggers alike: claim due work from the `source` under a lease, `send` it, record the
/// outcome in the source, each attempt in a child task of its own. What differs between the
/// kinds is injected: the source (its store and records), the sender (its wire format) and, in
/// each lane, the retry schedule.
///
/// Per lane it keeps a token bucket (where the lane has a rate limit) and a count of deliveries
/// in flight (`maxConcurrent`). It sleeps on the store's `WorkSignal` until new work may be due,
/// never longer than `pollInterval`, starts only once `gate` opens, and pauses while the store
/// reports a disk problem (the disk monitor signals when writes succeed again).
final class DeliveryEngine<Source: DeliverySource, Sender: DeliverySender>: Service
where Sender.Lane == Source.Lane, Sender.Item == Source.Item {
    typealias Lane = Source.Lane
    typealias Item = Source.Item

    private let source: Source
    private let sender: Sender
    private let signal: WorkSignal
    private let health: StoreHealth
    private let gate: DeliveryGate
    private let logger: Logger
    private let recent: RecentInvocations?
    private let now: @Sendable () -> Int64
    private let pollInterval: Duration
    /// Deliveries outstanding per lane; touched by the loop and by finished deliveries.
    private let inFlight = Mutex<[String: Int]>([:])

    /// Largest number of items claimed from one lane in one transaction.
    static var claimBatch: Int { 256 }

    /// - Parameters:
    ///   - store: whose work signal wakes the loop and whose health pauses it.
    ///   - gate: delivering starts once it opens (the pipeline's addresses are settled).
    ///   - now: wall-clock microseconds; tests may pass their own.
    ///   - pollInterval: the longest sleep between scans when nothing signals new work.
    init(source: Source, sender: Sender, store: EmulatorStore, gate: DeliveryGate = DeliveryGate(open: true), recent: RecentInvocations? = nil,
         logger: Logger, now: @escaping @Sendable () -> Int64 = { GoogleTimestamp.now().microseconds }, pollInterval: Duration = .seconds(1)) {
        self.source = source
        self.sender = sender
        self.signal = store.workSignal
        self.health = store.health
        self.gate = gate
        self.recent = recent
        self.logger = logger
        self.now = now
        self.pollInterval = pollInterval
    }

    /// Runs until cancelled or graceful shutdown. Deliveries still outstanding then are left
    /// in flight, and the next start makes them due again.
    func run() async throws {
        // Only a head start: were this write to fail (a full disk), the marks are leases and lapse.
        let released = (try? await source.releaseInFlight(nowMicroseconds: now())) ?? 0
        if released > 0 {
            logger.debug("deliveries in flight at the last stop are due again", metadata: [
                "pixelpipe.delivery": "\(source.kind)", "pixelpipe.count": "\(released)",
            ])
        }
        await cancelWhenGracefulShutdown {
            await self.gate.wait()
            await self.loop()
        }
    }

    private func loop() async {
        var buckets: [String: (lane: Lane, bucket: TokenBucket)] = [:]
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
                    let lanes = try await source.lanes()
                    for lane in lanes {
                        let (claimed, again) = try await claim(in: lane, buckets: &buckets)
                        for item in claimed {
                            group.addTask { await self.deliver(item, in: lane) }
                        }
                        if let again { wait = min(wait, again) }
                    }
                    buckets = buckets.filter { name, _ in lanes.contains { $0.name == name } }
                } catch is CancellationError {
                    break
                } catch {
                    logger.error("delivery scan failed", metadata: ["pixelpipe.delivery": "\(source.kind)", "pixelpipe.error": "\(error)"])
                }
                if wait > .zero {
                    await signal.wait(after: seen, timeout: wait)
                }
            }
        }
    }

    /// Claims what `lane` may send now, within its free concurrency and its tokens; returns the
    /// items and how soon the lane wants looking at again (nil: when something signals).
    private func claim(in lane: Lane, buckets: inout [String: (lane: Lane, bucket: TokenBucket)]) async throws -> (items: [Item], again: Duration?) {
        let free = lane.maxConcurrent - inFlight.withLock { $0[lane.name, default: 0] }
        guard free > 0 else { return ([], nil) }  // a finishing delivery signals
        // A read first, so an idle lane costs no write transaction.
        guard let due = try await source.nextDue(in: lane) else { return ([], nil) }  // new work signals
        if due > now() { return ([], .microseconds(due - now())) }
        let batch = min(free, Self.claimBatch)
        var tokens = batch
        var tokenWait: Duration?
        let clock = ContinuousClock.now
        if let limit = lane.rateLimit {
            if buckets[lane.name]?.lane != lane {
                buckets[lane.name] = (lane, TokenBucket(ratePerSecond: limit.perSecond, burst: limit.burst, now: clock))
            }
            // How many tokens are there, without spending them (the bucket is a value).
            var probe = buckets[lane.name]!.bucket
            tokens = 0
            while tokens < batch {
                if let wait = probe.take(now: clock) { tokenWait = wait; break }
                tokens += 1
            }
        }
        let claimed = tokens == 0 ? [] : try await source.claimDue(in: lane, limit: tokens, nowMicroseconds: now())
        if lane.rateLimit != nil {
            for _ in claimed { _ = buckets[lane.name]!.bucket.take(now: clock) }
        }
        if !claimed.isEmpty {
            inFlight.withLock { $0[lane.name, default: 0] += claimed.count }
        }
        if claimed.count == tokens, tokens < batch, let tokenWait {
            return (claimed, tokenWait)  // out of tokens with more perhaps due
        } else if claimed.count == batch {
            return (claimed, .zero)  // a full batch: look again at once
        } else if let due = try await source.nextDue(in: lane) {
            return (claimed, .microseconds(max(0, due - now())))
        }
        return (claimed, nil)
    }

    /// One attempt: send, then record the outcome. Cancellation before an answer leaves the
    /// item in flight, for the next start (or its lease) to release.
    private func deliver(_ item: Item, in lane: Lane) async {
        defer {
            inFlight.withLock { $0[lane.name, default: 1] -= 1 }
            signal.notify()
        }
        let start = ContinuousClock.now
        let response = await sender.send(item, in: lane)
        if response.status == nil, Task.isCancelled { return }
        let latency = ContinuousClock.now - start
        let finished = now()
        let outcome = DeliveryOutcome.after(response, attempt: item.attempt, firstAttemptMicroseconds: item.firstAttemptMicroseconds,
                                            in: lane, nowMicroseconds: finished)
        let metadata: Logger.Metadata = [
            "pixelpipe.delivery": "\(source.kind)", "pixelpipe.origin": "\(item.origin)", "pixelpipe.item": "\(item.label)",
            "pixelpipe.attempt": "\(item.attempt)", "pixelpipe.status": "\(response.status.map(String.init) ?? response.reason)",
        ]
        let source = source
        let logger = logger
        _ = await DeliveryLease.record(untilMicroseconds: item.leaseEndMicroseconds, now: now) {
            try await source.record(outcome, of: item, in: lane, response: response, nowMicroseconds: finished)
        } failed: { error in
            // The lease lapses and the item is delivered again: at-least-once, nothing lost.
            logger.error("recording a delivery failed; it will be delivered again", metadata: metadata.merging(["pixelpipe.error": "\(error)"]) { $1 })
        }
        switch outcome {
        case .delivered: logger.debug("delivered", metadata: metadata)
        case .retry: logger.debug("delivery failed; it will be retried", metadata: metadata)
        case .givenUp: logger.warning("delivery given up after its last attempt", metadata: metadata)
        }
        await recent?.record(Invocation(kind: source.kind, source: item.origin, item: item.label, target: response.target,
                                        status: response.status, latency: latency, timeMicroseconds: finished))
    }
}
