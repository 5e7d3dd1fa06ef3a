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
        context.leavePipeline(removalToken: removalToken)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if state == .sniffing { onClosedEarly() }
        context.fireChannelInactive()
    }
}
