import Testing

@testable import Emulator

/// The wake-up signal between the stores and the delivery loops.
@Suite("Delivery: work signal")
struct DeliveryWorkSignalTests {
    @Test("a notification between a scan and the wait is not lost", .timeLimit(.minutes(1)))
    func notificationBeforeWait() async {
        let signal = WorkSignal()
        let seen = signal.generation
        signal.notify()
        // Would sleep for the whole timeout (and hit the time limit) if the notification were lost.
        await signal.wait(after: seen, timeout: .seconds(3600))
        #expect(signal.generation != seen)
    }

    @Test("a waiter is woken by a later notification", .timeLimit(.minutes(1)))
    func wakesWaiter() async {
        let signal = WorkSignal()
        let seen = signal.generation
        async let waited: Void = signal.wait(after: seen, timeout: .seconds(3600))
        signal.notify()
        await waited
        #expect(signal.generation == seen + 1)
    }

    @Test("cancellation ends a wait", .timeLimit(.minutes(1)))
    func cancellation() async {
        let signal = WorkSignal()
        let waiter = Task { await signal.wait(after: signal.generation, timeout: .seconds(3600)) }
        waiter.cancel()
        await waiter.value
    }
}
