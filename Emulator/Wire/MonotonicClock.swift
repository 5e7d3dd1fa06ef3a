import GoogleCloud
import Synchronization

/// Wall-clock microseconds that never repeat or go backwards within the process, for commit
/// times and object generations that preconditions compare for equality.
enum MonotonicClock {
    private static let last = Mutex<Int64>(0)

    /// A timestamp strictly after every one handed out before.
    static func next() -> GoogleTimestamp {
        let now = GoogleTimestamp.now().microseconds
        return GoogleTimestamp(microseconds: last.withLock { last in
            last = max(now, last + 1)
            return last
        })
    }
}
