import NIOCore

/// Joins two channels so that what one reads the other writes: the emulator's listener hands a
/// gRPC connection to the gRPC server this way, byte for byte, HTTP/2 frames untouched.
///
/// Backpressure runs both ways: a side stops reading while its partner cannot take more. This is
/// the glue handler of NIO's proxy example; NIO ships none as a library type.
final class ConnectionRelay: ChannelDuplexHandler, @unchecked Sendable {
    // @unchecked: each instance is only touched on its own channel's event loop, and both
    // channels of a pair are created on the same loop.
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: ConnectionRelay?
    private var context: ChannelHandlerContext?
    private var pendingRead = false

    /// Two relays, one for each channel, joined to each other.
    static func pair() -> (ConnectionRelay, ConnectionRelay) {
        let first = ConnectionRelay()
        let second = ConnectionRelay()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { partner?.write(data) }

    func channelReadComplete(context: ChannelHandlerContext) { partner?.flush() }

    func channelInactive(context: ChannelHandlerContext) { partner?.close() }

    /// The listener allows half-closure, so a client that is done sending (grpc-swift shutting
    /// down) arrives as `inputClosed`, not as an inactive channel: pass the FIN on, and the other
    /// side's close then ends both.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            partner?.closeOutput()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.resumeReading() }
    }

    func read(context: ChannelHandlerContext) {
        if partner?.isWritable ?? true { context.read() } else { pendingRead = true }
    }

    private var isWritable: Bool { context?.channel.isWritable ?? false }

    private func write(_ data: NIOAny) { context?.write(data, promise: nil) }

    private func flush() { context?.flush() }

    private func close() { context?.close(promise: nil) }

    private func closeOutput() {
        guard let context else { return }
        // A channel that cannot half-close (or already has) is closed whole.
        context.close(mode: .output).whenFailure { _ in context.close(promise: nil) }
    }

    private func resumeReading() {
        guard pendingRead, let context else { return }
        pendingRead = false
        context.read()
    }
}
