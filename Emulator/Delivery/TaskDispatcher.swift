import Foundation
import GoogleCloud
import Logging
import PipelineModel
import ServiceLifecycle
import Synchronization

/// Dispatches due tasks of every RUNNING queue to their `httpRequest.url`, as Cloud Tasks does:
/// a token bucket per queue (`maxDispatchesPerSecond`, `maxBurstSize`), at most
/// `maxConcurrentDispatches` in flight per queue, the `X-CloudTasks-*` headers, and retries on
/// the queue's schedule. Every attempt is counted and marked in flight in the store before the
/// request goes out, and its outcome recorded after, so a restart resumes where it stopped.
final class TaskDispatcher: Service {
    private let tasks: TasksStore
    private let signal: WorkSignal
    private let health: StoreHealth
    private let gate: DeliveryGate
    private let client: HTTPClient
    private let logger: Logger
    private let recent: RecentInvocations?
    private let now: @Sendable () -> Int64
    private let pollInterval: Duration
    /// How long a dispatch's lease outlasts its deadline (`DeliveryLease.grace`).
    private let leaseGrace: Duration
    /// Dispatches outstanding per queue; touched by the loop and by finished dispatches.
    private let inFlight = Mutex<[String: Int]>([:])

    /// Largest number of tasks claimed from one queue in one transaction.
    static let claimBatch = 256

    /// - Parameters:
    ///   - now: wall-clock microseconds; tests may pass their own.
    ///   - pollInterval: the longest sleep between scans when nothing signals new work.
    ///   - gate: dispatching starts once it opens (the pipeline's addresses are settled).
    init(store: EmulatorStore, client: HTTPClient, logger: Logger, recent: RecentInvocations? = nil, gate: DeliveryGate = DeliveryGate(open: true),
         now: @escaping @Sendable () -> Int64 = { GoogleTimestamp.now().microseconds }, pollInterval: Duration = .seconds(1),
         leaseGrace: Duration = DeliveryLease.grace) {
        self.leaseGrace = leaseGrace
        self.tasks = TasksStore(store: store)
        self.signal = store.workSignal
        self.health = store.health
        self.gate = gate
        self.client = client
        self.logger = logger
        self.recent = recent
        self.now = now
        self.pollInterval = pollInterval
    }

    /// Runs until cancelled or graceful shutdown. Dispatches still outstanding then are left
    /// marked in flight, and the next start makes them due again.
    func run() async throws {
        // Only a head start: were this write to fail (a full disk), the marks are leases and lapse.
        let released = (try? await tasks.releaseInFlight()) ?? 0
        if released > 0 {
            logger.debug("tasks in flight at the last stop are due again", metadata: ["pixelpipe.count": "\(released)"])
        }
        await cancelWhenGracefulShutdown {
            await self.gate.wait()
            await self.loop()
        }
    }

    private func loop() async {
        var buckets: [String: (settings: DispatchQueueSettings, bucket: TokenBucket)] = [:]
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
                    let queues = try await tasks.runningQueues()
                    for settings in queues {
                        if buckets[settings.name]?.settings != settings {
                            buckets[settings.name] = (settings, TokenBucket(ratePerSecond: settings.maxDispatchesPerSecond, burst: settings.maxBurstSize, now: .now))
                        }
                        let free = settings.maxConcurrentDispatches - inFlight.withLock { $0[settings.name, default: 0] }
                        guard free > 0 else { continue }  // a finishing dispatch signals
                        // A read first, so an idle queue costs no write transaction.
                        guard let due = try await tasks.nextDue(queue: settings.name) else { continue }  // a creation signals
                        if due > now() {
                            wait = min(wait, .microseconds(due - now()))
                            continue
                        }
                        // How many tokens are there, without spending them (the bucket is a value).
                        var probe = buckets[settings.name]!.bucket
                        var tokens = 0
                        var tokenWait: Duration?
                        let clock = ContinuousClock.now
                        while tokens < min(free, Self.claimBatch) {
                            if let wait = probe.take(now: clock) { tokenWait = wait; break }
                            tokens += 1
                        }
                        let nowMicroseconds = now()
                        let claimed = tokens == 0 ? [] : try await tasks.claimDue(queue: settings.name, limit: tokens, nowMicroseconds: nowMicroseconds, grace: leaseGrace)
                        for _ in claimed { _ = buckets[settings.name]!.bucket.take(now: clock) }
                        if !claimed.isEmpty {
                            inFlight.withLock { $0[settings.name, default: 0] += claimed.count }
                        }
                        for task in claimed {
                            group.addTask { await self.dispatch(task, settings: settings) }
                        }
                        if claimed.count == tokens, tokens < min(free, Self.claimBatch), let tokenWait {
                            // Out of tokens with more perhaps due.
                            wait = min(wait, tokenWait)
                        } else if claimed.count == min(free, Self.claimBatch) {
                            wait = .zero  // a full batch: look again at once
                        } else if let due = try await tasks.nextDue(queue: settings.name) {
                            wait = min(wait, .microseconds(max(0, due - now())))
                        }
                    }
                    buckets = buckets.filter { name, _ in queues.contains { $0.name == name } }
                } catch is CancellationError {
                    break
                } catch {
                    logger.error("task dispatch scan failed", metadata: ["pixelpipe.error": "\(error)"])
                }
                if wait > .zero {
                    await signal.wait(after: seen, timeout: wait)
                }
            }
        }
    }

    /// One attempt: the request, then the outcome recorded. Cancellation leaves the task in flight.
    private func dispatch(_ task: ClaimedTask, settings: DispatchQueueSettings) async {
        defer {
            inFlight.withLock { $0[settings.name, default: 1] -= 1 }
            signal.notify()
        }
        let request = Self.request(for: task)
        let start = ContinuousClock.now
        var status: Int?
        var retryAfter: String?
        var failure: String?
        do {
            let response = try await client.execute(request)
            status = response.status
            retryAfter = response.header("Retry-After")
        } catch {
            if Task.isCancelled { return }
            failure = (error as? HTTPClientError).map { $0 == .timeout ? "deadline exceeded" : "\($0)" } ?? "\(error)"
        }
        let latency = ContinuousClock.now - start
        let finished = now()
        let outcome = TaskDispatchPolicy.outcome(
            status: status, failure: failure, retryAfter: retryAfter, attempts: task.retryCount + 1,
            firstAttemptMicroseconds: task.firstAttemptMicroseconds, nowMicroseconds: finished, schedule: settings.retry
        )
        let attempt = TaskAttempt(
            scheduleTime: GoogleTimestamp(microseconds: task.scheduleTimeMicroseconds), dispatchTime: GoogleTimestamp(microseconds: task.dispatchMicroseconds),
            responseTime: GoogleTimestamp(microseconds: finished), responseStatus: TaskAttempt.status(http: status, failure: failure ?? "no response")
        )
        let tasks = tasks
        let logger = logger
        let leaseEnd = task.dispatchMicroseconds + TaskDispatchPolicy.microseconds(task.dispatchDeadline + leaseGrace)
        _ = await DeliveryLease.record(untilMicroseconds: leaseEnd, now: now) {
            try await tasks.finishDispatch(name: task.name, dispatch: task.retryCount + 1, outcome: outcome, attempt: attempt, nowMicroseconds: finished)
        } failed: { error in
            // The lease lapses and the task is dispatched again: at-least-once, nothing lost.
            logger.error("recording a task dispatch failed; it will be dispatched again", metadata: ["pixelpipe.task": "\(task.name)", "pixelpipe.error": "\(error)"])
        }
        logger.debug("task dispatched", metadata: [
            "pixelpipe.task": "\(task.name)", "pixelpipe.status": "\(status.map(String.init) ?? failure ?? "-")",
        ])
        if case .failed = outcome {
            logger.warning("task failed after its last attempt", metadata: [
                "pixelpipe.task": "\(task.name)", "pixelpipe.attempts": "\(task.retryCount + 1)",
            ])
        }
        await recent?.record(Invocation(kind: .task, source: task.queue, item: task.name, target: request.url, status: status, latency: latency, timeMicroseconds: finished))
    }

    /// The HTTP request for `task`, with the headers Cloud Tasks adds.
    static func request(for task: ClaimedTask) -> HTTPClient.Request {
        let http = task.request
        var headers: [(name: String, value: String)] = (http.headers ?? [:])
            .filter { !$0.key.lowercased().hasPrefix("x-cloudtasks-") }
            .sorted { $0.key < $1.key }
            .map { ($0.key, $0.value) }
        let body = http.body.flatMap { Data(base64Encoded: $0) }
        if body != nil, !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            headers.append(("Content-Type", "application/octet-stream"))
        }
        if !headers.contains(where: { $0.name.lowercased() == "user-agent" }) {
            headers.append(("User-Agent", "Google-Cloud-Tasks"))
        }
        headers.append(("X-CloudTasks-QueueName", shortID(task.queue)))
        headers.append(("X-CloudTasks-TaskName", shortID(task.name)))
        headers.append(("X-CloudTasks-TaskRetryCount", String(task.retryCount)))
        headers.append(("X-CloudTasks-TaskExecutionCount", String(task.executionCount)))
        let eta = Double(task.scheduleTimeMicroseconds) / 1_000_000
        headers.append(("X-CloudTasks-TaskETA", String(format: "%.6f", eta)))
        if task.retryCount > 0 {
            if let previous = task.previousResponse {
                headers.append(("X-CloudTasks-TaskPreviousResponse", String(previous)))
            }
            if let reason = task.retryReason {
                headers.append(("X-CloudTasks-TaskRetryReason", reason))
            }
        }
        return HTTPClient.Request(
            method: (http.httpMethod ?? .post) == .unspecified ? "POST" : (http.httpMethod ?? .post).rawValue,
            url: http.url ?? "", headers: headers, body: body, timeout: task.dispatchDeadline
        )
    }

    /// The last path segment of a resource name.
    static func shortID(_ name: String) -> String {
        name.split(separator: "/").last.map(String.init) ?? name
    }
}
