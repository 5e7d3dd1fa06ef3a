#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Where finished log lines go: a file descriptor (stdout by default), written one whole line
/// per `write(2)` under a lock so lines from concurrent tasks never interleave.
public final class LogSink: Sendable {
    private let descriptor: Mutex<Int32>

    /// The process's standard output.
    public static let standardOutput = LogSink(descriptor: 1)
    /// The process's standard error.
    public static let standardError = LogSink(descriptor: 2)

    /// A sink for an open descriptor owned by the caller.
    public init(descriptor: Int32) {
        self.descriptor = Mutex(descriptor)
    }

    /// Whether the descriptor is a terminal, which selects the readable format.
    public var isTerminal: Bool {
        descriptor.withLock { isatty($0) == 1 }
    }

    /// Writes `line` and a newline.
    public func write(line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        descriptor.withLock { fd in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return  // nowhere left to report a failing log stream
                    }
                    offset += written
                }
            }
        }
    }
}
