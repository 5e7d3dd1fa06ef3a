import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A server could not listen because its port is taken, naming the port and, when it can be
/// found, the process holding it — instead of NIO's `bind(descriptor:ptr:bytes:): Address
/// already in use (errno: 98)`, which names neither.
public struct PortInUseError: Error, Sendable, CustomStringConvertible {
    /// The address the server tried to bind.
    public let host: String
    /// The port that is taken.
    public let port: Int
    /// Who listens there, when /proc tells.
    public let holder: PortHolder?
    /// What to do instead, e.g. `choose another with --port`.
    public let advice: String

    /// The error for `host`:`port`, looking up its holder.
    public init(host: String, port: Int, advice: String, holder: PortHolder? = nil) {
        self.host = host
        self.port = port
        self.advice = advice
        self.holder = holder ?? PortHolder.find(port: port)
    }

    /// `port 8085 on 127.0.0.1 is in use by python3 (pid 1234); choose another with --port`.
    public var description: String {
        "port \(port) on \(host) is in use\(holder.map { " by \($0)" } ?? " by another process"); \(advice)"
    }

    /// `error` as a `PortInUseError` when it is a bind failing with EADDRINUSE, else unchanged.
    public static func translating(_ error: any Error, host: String, port: Int, advice: String) -> any Error {
        guard let error = error as? IOError, error.errnoCode == EADDRINUSE else { return error }
        return PortInUseError(host: host, port: port, advice: advice)
    }
}
