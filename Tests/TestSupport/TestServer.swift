import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A request context that remembers the client's port, so tests can see which requests shared
/// a connection.
public struct PeerContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remotePort: Int?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remotePort = source.channel.remoteAddress?.port
    }
}

/// Runs `application` on a real socket for the duration of `body`, handing it the bound port,
/// then shuts it down gracefully (also when `body` throws).
public func withRunningApplication<App: ApplicationProtocol, T: Sendable>(
    _ makeApplication: (@escaping @Sendable (Int) async -> Void) throws -> App,
    _ body: @Sendable (Int) async throws -> T
) async throws -> T {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let application = try makeApplication { port in continuation.yield(port) }
    let group = ServiceGroup(configuration: .init(services: [application], logger: quietLogger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        do {
            let result = try await body(port)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}

/// Runs a Hummingbird router on 127.0.0.1 and a free port for the duration of `body`.
public func withTestServer<T: Sendable>(_ router: Router<PeerContext>, _ body: @Sendable (Int) async throws -> T) async throws -> T {
    try await withRunningApplication({ onRunning in
        Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: quietLogger
        )
    }, body)
}

/// A logger for test servers that only speaks up when something is wrong.
public let quietLogger: Logger = {
    var logger = Logger(label: "test-server")
    logger.logLevel = .warning
    return logger
}()
