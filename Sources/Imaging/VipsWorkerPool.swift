import CVipsShims
import Foundation
import Synchronization

/// A few dedicated threads that run blocking libvips work, so decoding and encoding never
/// occupy Swift's cooperative pool. Each job runs to completion on one thread; afterwards the
/// thread clears libvips' error buffer and calls `vips_thread_shutdown()`, since libvips did
/// not create it and would otherwise keep that thread's buffers until the thread exits.
final class VipsWorkerPool: Sendable {
    private struct Queue {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var stopping = false
    }

    private let queue = Mutex(Queue())
    private let pending = DispatchSemaphore(value: 0)
    private let threadCount: Int

    /// Starts `threads` worker threads.
    init(threads: Int) {
        threadCount = max(1, threads)
        for index in 0..<threadCount {
            let thread = Thread { [self] in work() }
            thread.name = "pixelpipe-vips-\(index)"
            // libvips' own workers get large stacks; a decode on this thread may recurse as deep.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Runs `body` on a worker thread and returns its result to the caller's task.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws(ImagingError) -> T) async throws(ImagingError) -> T {
        if Task.isCancelled { throw .cancelled }
        let result: Result<T, ImagingError> = await withCheckedContinuation { continuation in
            let submitted = queue.withLock { queue in
                guard !queue.stopping else { return false }
                queue.jobs.append {
                    continuation.resume(returning: Result { () throws(ImagingError) -> T in try body() })
                }
                return true
            }
            if submitted {
                pending.signal()
            } else {
                continuation.resume(returning: .failure(ImagingError.libraryUnavailable.with(detail: "imaging engine shut down")))
            }
        }
        return try result.get()
    }

    /// Lets the threads finish queued jobs and exit.
    func shutdown() {
        let first = queue.withLock { queue in
            defer { queue.stopping = true }
            return !queue.stopping
        }
        guard first else { return }
        for _ in 0..<threadCount { pending.signal() }
    }

    private func work() {
        while true {
            pending.wait()
            let job: (@Sendable () -> Void)? = queue.withLock { queue in
                guard queue.head < queue.jobs.count else { return nil }
                let job = queue.jobs[queue.head]
                queue.head += 1
                if queue.head > 64, queue.head * 2 > queue.jobs.count {
                    queue.jobs.removeFirst(queue.head)
                    queue.head = 0
                }
                return job
            }
            guard let job else { break }
            job()
            // A failing call's message was taken into its error already; whatever a successful
            // job left behind (libvips records some recovered failures) must not prefix the
            // next error. The buffer is global, so at worst another worker loses a detail.
            vips_error_clear()
            vips_thread_shutdown()
        }
    }
}
