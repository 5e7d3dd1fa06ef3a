import Foundation

/// Reads a child's output pipe to its end on a thread of its own, with blocking `read(2)` calls.
/// Not `FileHandle.readabilityHandler`: that is a libdispatch read source whose teardown at the
/// pipe's end of file races the dispatch manager thread's handling of the hang-up, which crashed
/// whole test runs now and then (SIGSEGV in `_dispatch_event_loop_drain`) — the same fault the
/// emulator's supervisor avoids the same way.
public enum PipeReader {
    /// Calls `onData` with each chunk read from `handle`, then `onEnd` at end of file.
    public static func start(_ handle: FileHandle, name: String, onData: @escaping @Sendable (Data) -> Void, onEnd: @escaping @Sendable () -> Void = {}) {
        let thread = Thread {
            let descriptor = handle.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                onData(Data(buffer[0..<count]))
            }
            onEnd()
            withExtendedLifetime(handle) {}
        }
        thread.name = "test-output-\(name)"
        thread.start()
    }
}
