import GoogleCloud

/// Cloud Tasks dispatch as a delivery source: the RUNNING queues are the lanes, each with its
/// rate limits and retry schedule; the SQL lives in `TasksStore+Delivery`.
struct TaskDeliverySource: DeliverySource {
    let tasks: TasksStore
    /// How long a dispatch's lease outlasts its deadline (`DeliveryLease.grace`).
    var leaseGrace: Duration = DeliveryLease.grace

    var kind: Invocation.Kind { .task }

    func releaseInFlight(nowMicroseconds: Int64) async throws -> Int {
        try await tasks.releaseInFlight()
    }

    func lanes() async throws -> [DispatchQueueSettings] {
        try await tasks.runningQueues()
    }

    func nextDue(in queue: DispatchQueueSettings) async throws -> Int64? {
        try await tasks.nextDue(queue: queue.name)
    }

    func claimDue(in queue: DispatchQueueSettings, limit: Int, nowMicroseconds now: Int64) async throws -> [ClaimedTask] {
        try await tasks.claimDue(queue: queue.name, limit: limit, nowMicroseconds: now, grace: leaseGrace)
    }

    /// Records the task's `lastAttempt` with the outcome: deleted on success, failed (kept in
    /// `tasks_failed`) once retries are spent, otherwise due again on the queue's schedule.
    func record(_ outcome: DeliveryOutcome, of task: ClaimedTask, in queue: DispatchQueueSettings, response: DeliveryResponse, nowMicroseconds now: Int64) async throws {
        let attempt = TaskAttempt(
            scheduleTime: GoogleTimestamp(microseconds: task.scheduleTimeMicroseconds), dispatchTime: GoogleTimestamp(microseconds: task.dispatchMicroseconds),
            responseTime: GoogleTimestamp(microseconds: now), responseStatus: TaskAttempt.status(http: response.status, failure: response.failure ?? "no response")
        )
        let stored: TaskAttemptOutcome
        switch outcome {
        case .delivered: stored = .completed
        case let .retry(at): stored = .retry(atMicroseconds: at, status: response.status, reason: response.reason)
        case .givenUp: stored = .failed(status: response.status, reason: response.reason)
        }
        try await tasks.finishDispatch(name: task.name, dispatch: task.attempt, outcome: stored, attempt: attempt, nowMicroseconds: now)
    }
}
