import Dispatch

/// Runs blocking file-system work (writes, fsync, reads of object bytes) on a dispatch queue of
/// its own so it never holds a thread of Swift's cooperative pool.
enum BlockingIO {
    private static let queue = DispatchQueue(label: "pixelpipe.emulator.io", qos: .userInitiated, attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
