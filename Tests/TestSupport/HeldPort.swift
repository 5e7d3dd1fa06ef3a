import Foundation
import FunctionsFramework
import PixelPipeCore

/// A TCP port on 127.0.0.1 that this test process listens on (never accepting), so that a
/// server told to use it finds it taken: "another program" holding a port. Closed when released.
public final class HeldPort: Sendable {
    /// The port held.
    public let port: Int
    private let descriptor: Int32

    /// Listens on `port`, by default a free one; throws when it cannot be had.
    public init(port: Int = LoopbackPort.stable()) throws {
        guard let descriptor = LoopbackPort.listener(on: port) else {
            throw TestSupportError(description: "cannot listen on 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        self.port = port
    }

    deinit { close(descriptor) }

    /// This test process as `PortHolder` names it: its pid and `/proc/self/comm`.
    public static var holder: PortHolder {
        let command = (try? String(contentsOfFile: "/proc/self/comm", encoding: .utf8))?.trimmingWhitespace ?? ""
        return PortHolder(pid: getpid(), command: String(command))
    }
}
