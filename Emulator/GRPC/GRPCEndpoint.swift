import NIOCore
import Synchronization

/// Where the gRPC server behind the shared port listens, once it does: an ephemeral loopback
/// port no client is told about.
final class GRPCEndpoint: Sendable {
    private let current = Mutex<SocketAddress?>(nil)

    init() {}

    var address: SocketAddress? { current.withLock { $0 } }

    func listening(at address: SocketAddress) { current.withLock { $0 = address } }
}
