import Foundation
import Runtime
#if canImport(Glibc)
import Glibc
#endif

/// A TCP port on 127.0.0.1 that this test process listens on, so that a server told to use it
/// finds it taken. Closed when released.
public final class HeldPort: @unchecked Sendable {
    /// The port held.
    public let port: Int
    private let descriptor: Int32

    /// Binds a free port on 127.0.0.1 and listens on it.
    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && listen(descriptor, 1) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else {
            let code = POSIXErrorCode(rawValue: errno) ?? .EIO
            close(descriptor)
            throw POSIXError(code)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }

    /// This test process as `PortHolder` names it: its pid and `/proc/self/comm`.
    public static var holder: PortHolder {
        let command = (try? String(contentsOfFile: "/proc/self/comm", encoding: .utf8))?.trimmingWhitespace ?? ""
        return PortHolder(pid: getpid(), command: String(command))
    }
}
