import Foundation

/// Runs blocking work (a child process's pipes, a read of the terminal) on a thread of its own,
/// never on the cooperative pool, and awaits its result.
enum OwnThread {
    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}
