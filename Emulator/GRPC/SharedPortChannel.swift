import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The emulator's one port speaks both transports, as Google's own emulators do: HTTP/1.1 goes
/// to Hummingbird's HTTP/1 channel, HTTP/2 with prior knowledge (gRPC) is relayed to the gRPC
/// server listening on loopback behind it. Google's clients are pointed at one host:port
/// (`PUBSUB_EMULATOR_HOST`, `FIRESTORE_EMULATOR_HOST`, an `api_endpoint`) whichever transport
/// they use.
struct SharedPortChannel: ServerChildChannel {
    enum Negotiated: Sendable {
        case http1(HTTP1Channel.Value)
        case relayed
    }

    struct Value: ServerChildChannelValue {
        let channel: any Channel
        let negotiated: EventLoopFuture<Negotiated>
    }

    let http1: HTTP1Channel
    let grpc: GRPCEndpoint

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let negotiated = channel.eventLoop.makePromise(of: Negotiated.self)
            let sniffer = HTTP2PrefaceSniffer(
                route: { detected, context in
                    let routed: EventLoopFuture<Void>
                    switch detected {
                    case .http1:
                        routed = http1.setup(channel: context.channel, logger: logger).map { value in
                            negotiated.succeed(.http1(value))
                        }
                    case .http2:
                        routed = relay(context.channel, logger: logger).map { negotiated.succeed(.relayed) }
                    }
                    // Every path completes `negotiated` (a second completion is ignored), or
                    // `handle` would wait on it for ever and hold the server's shutdown.
                    routed.whenFailure { negotiated.fail($0) }
                    return routed
                },
                onClosedEarly: { negotiated.fail(ChannelError.inputClosed) }
            )
            try channel.pipeline.syncOperations.addHandler(sniffer)
            return Value(channel: channel, negotiated: negotiated.futureResult)
        }
    }

    func handle(value: Value, logger: Logger) async {
        // A connection that has not said which protocol it speaks when the emulator stops is
        // closed, rather than holding the shutdown until it does.
        let negotiated = await withGracefulShutdownHandler {
            try? await value.negotiated.get()
        } onGracefulShutdown: {
            value.channel.close(promise: nil)
        }
        switch negotiated {
        case .http1(let http1Value): await http1.handle(value: http1Value, logger: logger)
        case .relayed: await untilClosedOrShuttingDown(value.channel)
        case nil: value.channel.close(promise: nil)
        }
    }

    /// Returns when a relayed connection closes, or at once when the emulator begins to shut down:
    /// Hummingbird stops this HTTP server before the gRPC server behind it, so waiting for the
    /// connection here would keep the gRPC server from ever hearing of the shutdown (and its
    /// streams from ending with UNAVAILABLE) until the shutdown timeout. The gRPC server closes the
    /// connection when it stops, and the relay closes this side with it.
    private func untilClosedOrShuttingDown(_ channel: any Channel) async {
        let (closed, continuation) = AsyncStream.makeStream(of: Void.self)
        channel.closeFuture.whenComplete { _ in continuation.finish() }
        await withGracefulShutdownHandler {
            for await _ in closed {}
        } onGracefulShutdown: {
            continuation.finish()
        }
    }

    /// Opens a connection to the gRPC server on the same event loop and joins the two.
    /// A connection that arrives while the gRPC server is still binding waits for it (briefly).
    private func relay(_ inbound: any Channel, logger: Logger) -> EventLoopFuture<Void> {
        grpc.address(on: inbound.eventLoop).flatMap { address in
            let (inboundRelay, outboundRelay) = ConnectionRelay.pair()
            return ClientBootstrap(group: inbound.eventLoop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .channelInitializer { outbound in
                    outbound.eventLoop.makeCompletedFuture { try outbound.pipeline.syncOperations.addHandler(outboundRelay) }
                }
                .connect(to: address)
                .flatMap { outbound in
                    do {
                        try inbound.pipeline.syncOperations.addHandler(inboundRelay)
                        return inbound.eventLoop.makeSucceededVoidFuture()
                    } catch {
                        // The client went away while the relay was connecting.
                        outbound.close(promise: nil)
                        return inbound.eventLoop.makeFailedFuture(error)
                    }
                }
        }.flatMapErrorThrowing { error in
            if error is GRPCNotListening { logger.warning("a gRPC connection arrived but the gRPC server is not listening; closed") }
            throw error
        }
    }
}

/// A gRPC connection arrived before the gRPC server behind the port had bound.
struct GRPCNotListening: Error {}
