import NIOCore

/// Reads the first bytes of a connection and tells HTTP/2 with prior knowledge (what Google's
/// gRPC clients send to an emulator: the connection preface `PRI * HTTP/2.0…`) from HTTP/1.1.
///
/// It holds every byte it reads until the caller has set the pipeline up for the protocol it
/// names, then removes itself and passes them on, so the protocol's own handlers see the
/// connection from its first byte. Written by hand: NIO negotiates protocols only through ALPN,
/// which needs TLS, and nothing in the mirror sniffs a cleartext preface.
final class HTTP2PrefaceSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    enum Detected: Sendable { case http1, http2 }

    /// RFC 9113 §3.4: the client connection preface.
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private enum State { case sniffing, routing, done }
    private var state = State.sniffing
    private var held: ByteBuffer?
    /// The peer finished sending while the pipeline was being set up: passed on after the bytes.
    private var inputClosedWhileRouting = false
    /// Sets the pipeline up for the protocol detected; the sniffer leaves once its future succeeds.
    private let route: (Detected, ChannelHandlerContext) -> EventLoopFuture<Void>
    private let onClosedEarly: () -> Void

    init(route: @escaping (Detected, ChannelHandlerContext) -> EventLoopFuture<Void>, onClosedEarly: @escaping () -> Void) {
        self.route = route
        self.onClosedEarly = onClosedEarly
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = Self.unwrapInboundIn(data)
        if held == nil { held = bytes } else { held!.writeBuffer(&bytes) }
        guard state == .sniffing, let detected = Self.detect(held!) else { return }
        state = .routing
        route(detected, context).hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
            switch result {
            case .success: context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            case .failure: context.close(promise: nil)
            }
        }
    }

    /// HTTP/2 once the whole preface has arrived, HTTP/1.1 at the first byte that differs from it,
    /// nil while what has arrived is still a prefix of it.
    static func detect(_ buffer: ByteBuffer) -> Detected? {
        let count = min(buffer.readableBytes, preface.count)
        guard let head = buffer.getBytes(at: buffer.readerIndex, length: count) else { return nil }
        if head != Array(preface.prefix(count)) { return .http1 }
        return count == preface.count ? .http2 : nil
    }

    func removeHandler(context: ChannelHandlerContext, removalToken: ChannelHandlerContext.RemovalToken) {
        state = .done
        if let held, held.readableBytes > 0 {
            self.held = nil
            context.fireChannelRead(Self.wrapInboundOut(held))
            context.fireChannelReadComplete()
        }
        if inputClosedWhileRouting { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
        context.leavePipeline(removalToken: removalToken)
    }

    /// The listener allows half-closure, so a peer that stops sending arrives here as
    /// `inputClosed`, not as an inactive channel: one that stops before naming its protocol is
    /// closed (it can never be served), one that stops while the pipeline is being set up has
    /// that passed on after its bytes.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? ChannelEvent, event == .inputClosed else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        switch state {
        case .sniffing:
            state = .done
            onClosedEarly()
            context.close(promise: nil)
        case .routing:
            inputClosedWhileRouting = true
        case .done:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if state != .done {
            state = .done
            onClosedEarly()
        }
        context.fireChannelInactive()
    }
}
