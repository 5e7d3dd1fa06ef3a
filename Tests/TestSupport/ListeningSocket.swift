import Foundation

/// A TCP socket listening on 127.0.0.1:`port` and never accepting: "another program" holding
/// a port, for tests of what happens when a port is taken.
public final class ListeningSocket: Sendable {
    public let port: Int
    private let descriptor: Int32

    /// Listens on `port`; throws when it cannot be bound.
    public init(port: Int) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard bound, listen(descriptor, 1) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw TestSupportError(description: "cannot listen on 127.0.0.1:\(port): \(reason)")
        }
        self.descriptor = descriptor
        self.port = port
    }

    deinit { close(descriptor) }
}
