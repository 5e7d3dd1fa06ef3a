import Synchronization

/// Holds the delivery loops back until the pipeline's service addresses are settled: with a
/// pipeline, nothing may be dispatched or pushed before every stored address that moved has
/// been re-pointed (`ServiceAddresses`), or work would go to a dead port. Without a pipeline
/// the gate starts open.
final class DeliveryGate: Sendable {
    private let opened = Atomic(false)
    private let signal = WorkSignal()

    /// A gate, closed unless `open` says otherwise.
    init(open: Bool = false) {
        if open { self.open() }
    }

    /// Whether deliveries may run.
    var isOpen: Bool { opened.load(ordering: .acquiring) }

    /// Lets every waiting and future delivery loop run.
    func open() {
        opened.store(true, ordering: .releasing)
        signal.notify()
    }

    /// Returns once the gate is open, or when the task is cancelled.
    func wait() async {
        while !Task.isCancelled {
            let seen = signal.generation
            if isOpen { return }
            await signal.wait(after: seen, timeout: .seconds(60))
        }
    }
}
