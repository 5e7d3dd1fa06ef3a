import Foundation
import Synchronization

@testable import Emulator

/// A sender that opens no socket: attempt number `n` (1-based, over all items) is held for
/// `hold(n)`, then answered with the status `answer(item, n)` returns (nil: no answer). It keeps
/// what it was sent and the largest number of attempts it held at once.
final class FakeSender<Lane: DeliveryLane, Item: DeliveryItem>: DeliverySender {
    /// One attempt as the sender saw it.
    struct Sent: Sendable {
        var item: Item
        var at: ContinuousClock.Instant
    }

    private let state = Mutex<(sent: [Sent], current: Int, peak: Int, answered: Int)>(([], 0, 0, 0))
    private let hold: @Sendable (Int) -> Duration
    private let answer: @Sendable (Item, Int) -> Int?

    init(hold: @escaping @Sendable (Int) -> Duration = { _ in .zero }, answer: @escaping @Sendable (Item, Int) -> Int? = { _, _ in 200 }) {
        self.hold = hold
        self.answer = answer
    }

    var sent: [Sent] { state.withLock { $0.sent } }
    var peakConcurrency: Int { state.withLock { $0.peak } }
    /// Attempts that have returned an answer (or their failure).
    var answered: Int { state.withLock { $0.answered } }

    func send(_ item: Item, in lane: Lane) async -> DeliveryResponse {
        let index = state.withLock { state in
            state.sent.append(Sent(item: item, at: .now))
            state.current += 1
            state.peak = max(state.peak, state.current)
            return state.sent.count
        }
        defer { state.withLock { $0.current -= 1; $0.answered += 1 } }
        let wait = hold(index)
        if wait > .zero {
            do {
                try await Task.sleep(for: wait)
            } catch {
                return DeliveryResponse(target: "fake://\(lane.name)", failure: "cancelled")
            }
        }
        let status = answer(item, index)
        return DeliveryResponse(target: "fake://\(lane.name)", status: status, failure: status == nil ? "no answer" : nil)
    }
}

extension DeliveryEngine {
    /// The engine over `source` with a fake sender, on `store`'s signal and health. Its poll
    /// is half a minute, so a test that passes sooner shows the engine woke by itself.
    static func faked(_ source: Source, _ sender: Sender, store: EmulatorStore) -> DeliveryEngine {
        DeliveryEngine(source: source, sender: sender, store: store, logger: DeliveryHarness.logger, pollInterval: .seconds(30))
    }
}
