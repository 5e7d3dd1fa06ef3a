import Foundation
import FunctionsFramework
import GoogleCloud
import PipelineModel
import PixelPipeCore

/// Whether the queue gives up on an image task after this failed attempt — the one question the
/// failure policy must answer the way Cloud Tasks does, or an item is either failed while the
/// queue would still retry it or dropped uncounted when the queue stops.
///
/// The queue's own `retryConfig` decides (read once per queue and kept), not this process's
/// configuration: a queue created under other settings (an earlier deployment) keeps its own.
/// Once `maxAttempts` is reached and a `maxRetryDuration` applies, the task's first attempt is
/// read from the queue (`firstAttempt.dispatchTime`). When the queue or the task cannot be read
/// for good (a direct call the queue does not know, a missing permission), the attempts alone
/// decide, so an item is never left unrecorded on a final attempt.
actor RetryVerdict {
    private let tasks: CloudTasksClient
    /// What to assume when the queue's settings cannot be read.
    private let fallback: PipelineConfiguration.ImageQueue
    private var settings: [String: PipelineConfiguration.ImageQueue] = [:]
    /// Queues remembered at most (one per running job).
    private let capacity: Int

    init(tasks: CloudTasksClient, fallback: PipelineConfiguration.ImageQueue, capacity: Int = 512) {
        self.tasks = tasks
        self.fallback = fallback
        self.capacity = capacity
    }

    /// Whether attempt `attempt` of `task` was its last, and since when it has been tried when
    /// that is known. Throws what `read` throws for transient failures (the caller answers 503).
    func givesUp(after attempt: Int, of task: CloudTaskHeaders, now: Date) async throws -> (givesUp: Bool, firstAttempt: Date?) {
        let queue = try await settings(of: task.queueName)
        // Below maxAttempts, or without a window, the first attempt does not matter.
        guard queue.maxRetryDuration > .zero, queue.maxAttempts < 0 || attempt >= queue.maxAttempts else {
            return (queue.givesUp(afterAttempt: attempt, firstAttempt: nil, now: now), nil)
        }
        let first = try await firstAttempt(of: task)
        return (queue.givesUp(afterAttempt: attempt, firstAttempt: first, now: now), first)
    }

    /// The queue's `maxAttempts` and `maxRetryDuration`, as Cloud Tasks fills in what is unset.
    private func settings(of name: String) async throws -> PipelineConfiguration.ImageQueue {
        if let known = settings[name] { return known }
        let config: CloudTasksQueue.RetryConfig?
        do {
            config = try await tasks.queue(name).retryConfig
        } catch let error as any RetryClassifiedError where error.isTransient {
            throw error
        } catch {
            return fallback
        }
        var queue = fallback
        queue.maxAttempts = config?.maxAttempts ?? 100
        queue.maxRetryDuration = config?.maxRetryDuration.flatMap(GoogleDuration.parse) ?? .zero
        if settings.count >= capacity { settings.removeAll() }
        settings[name] = queue
        return queue
    }

    /// When the task was first dispatched; nil when the queue cannot say.
    private func firstAttempt(of task: CloudTaskHeaders) async throws -> Date? {
        do {
            return try await tasks.task(task.taskName, queue: task.queueName).firstAttempt?.dispatchTime.flatMap(Timestamp.parse)
        } catch let error as any RetryClassifiedError where error.isTransient {
            throw error
        } catch {
            return nil
        }
    }
}
