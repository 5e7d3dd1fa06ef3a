import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Ports on 127.0.0.1, for the services the emulator starts and for tests.
public enum LoopbackPort {
    /// A port nobody listens on now. Whoever binds it next wins: another process could take it
    /// between this call and the intended bind, so callers that can bind port 0 should.
    public static func free() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                _ = bind(fd, socketAddress, length)
                _ = getsockname(fd, socketAddress, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A free port outside the kernel's ephemeral range, for a service that keeps its port for
    /// the life of a data directory: an ephemeral port may be taken at any time as the local end
    /// of some outgoing connection, which would keep the service from binding it after a restart.
    /// Tries ports from `range` starting at a random one; falls back to `free()`.
    public static func stable(in range: ClosedRange<Int> = 20_000...29_999, excluding taken: Set<Int> = []) -> Int {
        let ephemeral = ephemeralRange()
        let start = Int.random(in: range)
        for offset in 0..<range.count {
            let port = range.lowerBound + (start - range.lowerBound + offset) % range.count
            if taken.contains(port) || ephemeral.contains(port) { continue }
            if isFree(port) { return port }
        }
        return free()
    }

    /// The kernel's ephemeral port range (`/proc/sys/net/ipv4/ip_local_port_range`), or Linux's
    /// default when it cannot be read.
    public static func ephemeralRange() -> ClosedRange<Int> {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let bounds = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] > 0, bounds[1] >= bounds[0] else { return 32768...60999 }
        return bounds[0]...bounds[1]
    }

    /// Whether `port` can be bound on 127.0.0.1 right now by a server, which (as NIO's and
    /// every other server's listeners do) sets `SO_REUSEADDR`: connections of an earlier
    /// listener still in TIME-WAIT do not make the port busy, a listener does.
    public static func isFree(_ port: Int) -> Bool {
        guard let descriptor = listener(on: port) else { return false }
        close(descriptor)
        return true
    }

    /// A socket listening on 127.0.0.1:`port` with `SO_REUSEADDR`, or nil when the port cannot be
    /// had (a bind can succeed beside a socket that is bound but not yet listening; listen
    /// cannot). The caller closes it.
    public static func listener(on port: Int) -> Int32? {
        guard (1...65535).contains(port) else { return nil }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var reuse: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard bound, listen(descriptor, 16) == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }
}
