import Foundation
import Synchronization

/// Starts child processes from one thread that lives as long as the emulator. The kernel sends
/// a child its parent-death signal (`exec-service`) when the *thread* that created it exits, not
/// the process, and the threads behind Swift's concurrency pool may be retired when idle: a
/// service started from one of them could be killed while the emulator is alive and well.
final class SpawnThread: Sendable {
    /// The emulator's one spawning thread.
    static let shared = SpawnThread()

    private let requests = Mutex<[@Sendable () -> Void]>([])
    private let available = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in serve() }
        thread.name = "pixelpipe-spawn"
        thread.start()
    }

    /// Runs `body` (which starts a process) on the spawning thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            requests.withLock { $0.append { continuation.resume(with: Result { try body() }) } }
            available.signal()
        }
    }

    private func serve() -> Never {
        while true {
            available.wait()
            let request = requests.withLock { $0.removeFirst() }
            request()
        }
    }
}
