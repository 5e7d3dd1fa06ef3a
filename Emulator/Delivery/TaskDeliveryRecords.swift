import Foundation
import GoogleCloud

// The values the delivery engine and the dashboard exchange with `TasksStore+Delivery`.

/// What the engine needs to know about a RUNNING queue, its lane: its limits and retry schedule.
struct DispatchQueueSettings: DeliveryLane {
    var name: String
    var maxDispatchesPerSecond: Double
    var maxBurstSize: Int
    var maxConcurrentDispatches: Int
    var retry: TaskRetrySchedule

    /// The settings of `queue` with Cloud Tasks' defaults for anything unset.
    init(_ queue: TasksQueue) {
        let filled = (try? queue.withDefaults()) ?? queue
        name = filled.name ?? ""
        maxDispatchesPerSecond = filled.rateLimits?.maxDispatchesPerSecond ?? 500
        maxBurstSize = filled.rateLimits?.maxBurstSize ?? 100
        maxConcurrentDispatches = filled.rateLimits?.maxConcurrentDispatches ?? 1000
        let config = filled.retryConfig
        let base = TaskRetrySchedule.cloudTasksDefault
        retry = TaskRetrySchedule(
            minBackoff: config?.minBackoff?.duration ?? base.minBackoff,
            maxBackoff: config?.maxBackoff?.duration ?? base.maxBackoff,
            maxDoublings: config?.maxDoublings ?? base.maxDoublings,
            maxAttempts: config?.maxAttempts ?? base.maxAttempts,
            maxRetryDuration: config?.maxRetryDuration?.duration ?? base.maxRetryDuration
        )
    }

    var rateLimit: DeliveryRateLimit? { DeliveryRateLimit(perSecond: maxDispatchesPerSecond, burst: maxBurstSize) }
    var maxConcurrent: Int { maxConcurrentDispatches }
    var schedule: TaskRetrySchedule { retry }
}

/// A task taken for one dispatch, with the counters its `X-CloudTasks-*` headers report.
struct ClaimedTask: DeliveryItem {
    var name: String
    var queue: String
    var request: TasksTask.HTTPRequestTarget
    var scheduleTimeMicroseconds: Int64
    var dispatchDeadline: Duration
    /// Dispatches before this one.
    var retryCount: Int
    /// Responses received before this dispatch.
    var executionCount: Int
    /// HTTP status of the previous attempt, when it got one.
    var previousResponse: Int?
    var retryReason: String?
    /// When the first attempt was dispatched (this one, on the first attempt).
    var firstAttemptMicroseconds: Int64?
    /// When this attempt was claimed.
    var dispatchMicroseconds: Int64
    /// The dispatch deadline plus the lease grace after `dispatchMicroseconds`.
    var leaseEndMicroseconds: Int64

    var origin: String { queue }
    var label: String { name }
    /// This dispatch's number: the retries before it, plus one.
    var attempt: Int { retryCount + 1 }
}

/// How one dispatch ended, as the store records it.
enum TaskAttemptOutcome: Sendable, Equatable {
    /// 2xx: the task is deleted; its name stays remembered.
    case completed
    /// Dispatch again at `microseconds` (wall clock); `status` nil when no response came.
    case retry(atMicroseconds: Int64, status: Int?, reason: String)
    /// Retries exhausted: the task is deleted and recorded in `tasks_failed`.
    case failed(status: Int?, reason: String)
}

/// Per-queue counters for the dashboard.
struct TaskQueueStats: Sendable, Equatable {
    var queue: String
    var state: TasksQueue.State
    /// Tasks waiting for dispatch (due or not), excluding those in flight.
    var pending: Int
    var inFlight: Int
    /// Pending tasks that have been attempted at least once.
    var retrying: Int
    /// Tasks deleted after their retries ran out.
    var failed: Int
    /// How many current tasks last saw each HTTP status.
    var lastResponseStatuses: [Int: Int]
}

/// One task's dispatch state for the dashboard.
struct TaskDispatchState: Sendable, Equatable {
    var name: String
    var attempts: Int
    var nextAttemptMicroseconds: Int64
    var lastResponseStatus: Int?
    var inFlight: Bool
}

/// A task deleted after its retries ran out.
struct FailedTask: Sendable, Equatable {
    var name: String
    var queue: String
    var attempts: Int
    var lastResponseStatus: Int?
    var reason: String
}
