import Hummingbird
import Logging
import Metrics
import NIOCore
import Prometheus
import Synchronization

/// A function's metrics: swift-metrics bootstrapped into a Prometheus registry, and a small
/// Hummingbird application serving it as text on `GET /metrics` on the metrics port.
public enum MetricsEndpoint {
    /// Buckets for every duration histogram: from a millisecond (a decode of a thumbnail) to a
    /// minute (a task that waited in its queue), since steps and waits share the family.
    public static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        .seconds(10), .seconds(30), .seconds(60), .seconds(300),
    ]

    private static let bootstrapped = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Makes swift-metrics record into a Prometheus registry (once per process; later calls
    /// return the same registry). Nil when metrics are off: swift-metrics stays a no-op.
    @discardableResult
    public static func bootstrap(_ configuration: MetricsConfiguration) -> PrometheusCollectorRegistry? {
        guard configuration.enabled else { return nil }
        return bootstrapped.withLock { registry in
            if let registry { return registry }
            let made = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: made)
            factory.defaultDurationHistogramBuckets = durationBuckets
            MetricsSystem.bootstrap(factory)
            registry = made
            return made
        }
    }

    /// The listener serving `registry` on `configuration`'s host and port; `onServerRunning`
    /// receives the bound port (useful with port 0).
    public static func makeApplication(
        registry: PrometheusCollectorRegistry, configuration: MetricsConfiguration, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: registry.emitToString())))
        }
        let port = configuration.port ?? 0
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
