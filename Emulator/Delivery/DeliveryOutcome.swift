import Foundation

/// How one attempt ends for the work it delivered, whatever the kind: the store of that kind
/// turns it into its own records (a task deleted or retried, a message acknowledged or
/// dead-lettered, a trigger event deleted or retried).
enum DeliveryOutcome: Sendable, Equatable {
    /// The answer completed the delivery.
    case delivered
    /// Attempt again at `atMicroseconds` (wall clock).
    case retry(atMicroseconds: Int64)
    /// Retries are spent: the task fails, the message goes to its dead-letter topic.
    case givenUp

    /// The outcome of attempt number `attempt` (1 for the first) of work in `lane`, answered
    /// with `response` at `now`. Pure, so schedules are tested without waiting.
    static func after(_ response: DeliveryResponse, attempt: Int, firstAttemptMicroseconds: Int64?, in lane: some DeliveryLane,
                      nowMicroseconds now: Int64) -> DeliveryOutcome {
        if let status = response.status, lane.accepts(status: status) { return .delivered }
        guard let wait = lane.schedule.retryWait(afterAttempt: attempt, firstAttemptMicroseconds: firstAttemptMicroseconds ?? now,
                                                 response: response, nowMicroseconds: now) else {
            return .givenUp
        }
        return .retry(atMicroseconds: now + wait.wholeMicroseconds)
    }
}
