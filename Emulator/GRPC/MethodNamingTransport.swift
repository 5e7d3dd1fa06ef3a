import GRPCCore

/// Wraps the server's transport so that a call to a method no service registers fails with
/// `UNIMPLEMENTED` naming the method (say, `google.storage.v2.Storage/ReadObject`), where
/// grpc-swift's router only says "Requested RPC isn't implemented by this server". A developer
/// pointing a client at the emulator learns at once what it lacks. grpc-swift offers no hook for
/// unknown methods, hence a transport that answers them before the router sees them.
struct MethodNamingTransport<Inner: ServerTransport>: ServerTransport {
    typealias Bytes = Inner.Bytes

    let inner: Inner
    let served: Set<MethodDescriptor>

    func configure(context: GRPCServerContext) { inner.configure(context: context) }

    func listen(streamHandler: @escaping @Sendable (RPCStream<Inbound, Outbound>, ServerContext) async -> Void) async throws {
        try await inner.listen { stream, context in
            if served.contains(stream.descriptor) {
                await streamHandler(stream, context)
            } else {
                let status = Status(code: .unimplemented, message: "\(stream.descriptor.fullyQualifiedMethod) is not implemented by this emulator.")
                try? await stream.outbound.write(.status(status, [:]))
                await stream.outbound.finish()
            }
        }
    }

    func beginGracefulShutdown() { inner.beginGracefulShutdown() }
}
