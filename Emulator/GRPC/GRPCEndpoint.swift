import NIOCore
import Synchronization

/// Where the gRPC server behind the shared port listens, once it does: an ephemeral loopback
/// port no client is told about. The HTTP listener may announce the port a moment before the gRPC
/// server has bound, so a connection in that moment waits for the address rather than failing.
final class GRPCEndpoint: Sendable {
    /// How long a connection waits for the gRPC server to bind before it is refused.
    static let bindWait: TimeAmount = .seconds(5)

    private struct State {
        var address: SocketAddress?
        var waiting: [EventLoopPromise<SocketAddress>] = []
    }

    private let state = Mutex(State())

    init() {}

    /// The address, now or once the gRPC server listens; fails after `bindWait`.
    func address(on eventLoop: any EventLoop) -> EventLoopFuture<SocketAddress> {
        let promise = eventLoop.makePromise(of: SocketAddress.self)
        let known = state.withLock { state -> SocketAddress? in
            if state.address == nil { state.waiting.append(promise) }
            return state.address
        }
        if let known {
            promise.succeed(known)
        } else {
            eventLoop.scheduleTask(in: Self.bindWait) { promise.fail(GRPCNotListening()) }
        }
        return promise.futureResult
    }

    func listening(at address: SocketAddress) {
        let waiting = state.withLock { state in
            state.address = address
            defer { state.waiting = [] }
            return state.waiting
        }
        for promise in waiting { promise.succeed(address) }
    }
}
