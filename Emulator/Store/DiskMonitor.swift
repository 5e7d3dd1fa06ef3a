import Foundation
import GoogleCloud
import Logging
import ServiceLifecycle

/// Watches the data directory's disk. Once a write has failed for lack of space (or the free
/// space has run out), the delivery loops pause; every `interval` this checks again, and when
/// there is room (`resumeBytes` free) and a probe write commits, it clears the mark and wakes
/// the loops, so the emulator resumes by itself when space returns.
struct DiskMonitor: Service {
    let store: EmulatorStore
    var interval: Duration = .seconds(1)
    /// Free space below which the disk counts as full before any write fails.
    var minimumFreeBytes: Int64 = 64 << 10
    /// Free space needed before deliveries resume.
    var resumeBytes: Int64 = 1 << 20
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var reported: StoreHealth.DiskProblem?
            while !Task.isCancelled {
                await check(reported: &reported)
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One look at the disk.
    func check(reported: inout StoreHealth.DiskProblem?) async {
        let free = Self.freeBytes(at: store.directory.path)
        if store.health.diskProblem == nil, let free, free < minimumFreeBytes {
            store.health.note(DiskFullError(operation: "keep writing to", path: store.directory.path, code: ENOSPC))
        }
        guard let problem = store.health.diskProblem else { return }
        if reported == nil {
            reported = problem
            logger.error("disk full: deliveries paused", metadata: ["pixelpipe.data": .string(store.directory.path), "pixelpipe.error": .string(problem.detail)])
        }
        guard (free ?? resumeBytes) >= resumeBytes else { return }
        do {
            try await store.probeWrite()
        } catch {
            return
        }
        store.health.recovered()
        reported = nil
        logger.warning("disk takes writes again: deliveries resumed", metadata: ["pixelpipe.data": .string(store.directory.path)])
        store.workSignal.notify()
    }

    /// Bytes available to this process on the file system holding `path` (root may also use
    /// the blocks the file system reserves for it).
    static func freeBytes(at path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(geteuid() == 0 ? info.f_bfree : info.f_bavail) * Int64(info.f_frsize)
    }
}
