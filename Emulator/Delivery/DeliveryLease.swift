/// How long a delivery marked in flight is held beyond its own deadline (a task's
/// `dispatchDeadline`, a push's ack deadline) before it may be claimed again. Past the deadline
/// the request has ended one way or another; the grace leaves time to record its outcome, so a
/// delivery is repeated only when recording it failed (a full disk) or the emulator stopped.
enum DeliveryLease {
    static let grace: Duration = .seconds(15)
}

extension DeliveryLease {
    /// Records a delivery's outcome, trying again every `retryInterval` while the write fails
    /// (a full disk) and the delivery's lease lasts (until `end`, wall-clock microseconds as the
    /// store keeps it): after that the delivery is claimed again and this outcome no longer
    /// applies. Returns whether it was recorded.
    static func record(
        untilMicroseconds end: Int64, now: @Sendable () -> Int64, retryInterval: Duration = .seconds(1),
        _ write: () async throws -> Void, failed: (any Error) -> Void
    ) async -> Bool {
        while true {
            do {
                try await write()
                return true
            } catch {
                guard now() + retryInterval.wholeMicroseconds < end, !Task.isCancelled else {
                    failed(error)
                    return false
                }
                try? await Task.sleep(for: retryInterval)
            }
        }
    }
}
