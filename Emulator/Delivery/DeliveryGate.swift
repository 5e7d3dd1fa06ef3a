import Synchronization

/// Holds the delivery loops back until the pipeline's service addresses are settled: with a
/// pipeline, nothing may be dispatched or pushed before every stored address that moved has
/// been re-pointed (`ServiceAddresses`), or work would go to a dead port. Without a pipeline
/// the gate starts open.
final class DeliveryGate: Sendable {
    private let state = Mutex(State())

    private struct State {
        var isOpen = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    /// A gate, closed unless `open` says otherwise.
    init(open: Bool = false) {
        if open { self.open() }
    }

    /// Whether deliveries may run.
    var isOpen: Bool { state.withLock { $0.isOpen } }

    /// Lets every waiting and future delivery loop run.
    func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the gate is open, or when the task is cancelled.
    func wait() async {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.isOpen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
