import Foundation
import GoogleCloud
import GRDB
import Synchronization

/// Whether the data directory's disk takes writes. A write that fails because the disk is full
/// (or fails to do I/O at all) marks it; the delivery loops then pause — a dispatch or push
/// whose outcome cannot be recorded would only be repeated — and `DiskMonitor` clears the mark
/// once a probe write succeeds again. The dashboard and `emulator status` show it.
final class StoreHealth: Sendable {
    /// What went wrong with the disk, and since when.
    struct DiskProblem: Sendable, Equatable, Encodable {
        enum Kind: String, Sendable, Encodable {
            /// No space left (SQLITE_FULL, ENOSPC, EDQUOT).
            case full
            /// The disk failed a read or write (SQLITE_IOERR, EIO).
            case ioError
        }

        var kind: Kind
        /// Wall-clock microseconds of the first failure.
        var sinceMicroseconds: Int64
        /// The failure as reported, naming the file or operation.
        var detail: String

        /// `disk full: deliveries paused (…)`, as the dashboard and status print it.
        var summary: String {
            (kind == .full ? "disk full" : "disk I/O error") + ": deliveries paused (" + detail + ")"
        }
    }

    private let state = Mutex<DiskProblem?>(nil)

    init() {}

    /// The current problem, or nil while the disk takes writes.
    var diskProblem: DiskProblem? { state.withLock { $0 } }

    /// Records `error` when it is a disk problem; returns whether it was.
    @discardableResult
    func note(_ error: any Error) -> Bool {
        guard let kind = Self.diskProblemKind(of: error) else { return false }
        state.withLock { problem in
            if problem == nil {
                problem = DiskProblem(kind: kind, sinceMicroseconds: GoogleTimestamp.now().microseconds, detail: "\(error)")
            }
        }
        return true
    }

    /// The disk took a write again.
    func recovered() {
        state.withLock { $0 = nil }
    }

    /// Whether `error` says the disk is full or failing, and which.
    static func diskProblemKind(of error: any Error) -> DiskProblem.Kind? {
        switch error {
        case let error as DiskFullError:
            return error.isFull ? .full : .ioError
        case let error as DatabaseError:
            switch error.resultCode {
            case .SQLITE_FULL: return .full
            case .SQLITE_IOERR: return .ioError
            default: return nil
            }
        case let error as CocoaError where error.code == .fileWriteOutOfSpace:
            return .full
        case let error as POSIXError where error.code == .ENOSPC || error.code == .EDQUOT:
            return .full
        default:
            return nil
        }
    }
}

/// A file-system write that failed for lack of space (ENOSPC, EDQUOT) or an I/O error (EIO):
/// the request is answered 503 `UNAVAILABLE`, so clients retry, and deliveries pause.
struct DiskFullError: Error, CustomStringConvertible {
    /// What was being done (`write`, `fsync`, …) and to which path.
    var operation: String
    var path: String
    /// The errno.
    var code: Int32

    var isFull: Bool { code == ENOSPC || code == EDQUOT }

    var description: String { "could not \(operation) \(path): \(String(cString: strerror(code)))" }

    /// The error for the current `errno`, when it is a disk problem.
    static func current(_ operation: String, _ path: String) -> DiskFullError? {
        let code = errno
        guard code == ENOSPC || code == EDQUOT || code == EIO else { return nil }
        return DiskFullError(operation: operation, path: path, code: code)
    }
}
