import GoogleCloud
import Logging
import ServiceLifecycle

/// The emulator's delivery loops: Cloud Tasks dispatch and Pub/Sub push, sharing one HTTP client
/// and one list of recent invocations.
enum DeliveryServices {
    /// The HTTP client the loops use: no redirects, many idle connections (functions are local).
    static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.maxIdleConnections = 256
        configuration.timeout = .seconds(1800)
        return HTTPClient(configuration: configuration)
    }

    /// The task dispatcher and the push deliverer over `store`, to run in the emulator's service
    /// group; they deliver once `gate` opens.
    static func make(store: EmulatorStore, logger: Logger, client: HTTPClient = makeClient(),
                     recentInvocations: RecentInvocations = RecentInvocations(), gate: DeliveryGate = DeliveryGate(open: true)) -> [any Service] {
        [
            TaskDispatcher(store: store, client: client, logger: logger, recent: recentInvocations, gate: gate),
            PushDeliverer(store: store, client: client, logger: logger, recent: recentInvocations, gate: gate),
        ]
    }
}
