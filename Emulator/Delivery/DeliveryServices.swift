import GoogleCloud
import Logging
import ServiceLifecycle

/// The emulator's delivery loops: one `DeliveryEngine` per kind of delivery, sharing one list
/// of recent invocations; the dispatcher and the push deliverer share one HTTP client.
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

/// Cloud Tasks dispatch: every RUNNING queue's due tasks to their `httpRequest.url`, within the
/// queue's token bucket and `maxConcurrentDispatches`, retried on the queue's schedule.
typealias TaskDispatcher = DeliveryEngine<TaskDeliverySource, TaskSender>

/// Pub/Sub push: every push subscription's messages to its endpoint, dead-lettered under a
/// dead-letter policy once `maxDeliveryAttempts` nacks are spent.
typealias PushDeliverer = DeliveryEngine<PushDeliverySource, PushSender>

/// Storage triggers: each persisted CloudEvent to its service, retried until a 2xx.
typealias TriggerDeliverer = DeliveryEngine<TriggerDeliverySource, TriggerSender>

extension DeliveryEngine where Source == TaskDeliverySource, Sender == TaskSender {
    /// The dispatcher over `store`; `leaseGrace` is how long a dispatch's lease outlasts its deadline.
    convenience init(store: EmulatorStore, client: HTTPClient, logger: Logger, recent: RecentInvocations? = nil, gate: DeliveryGate = DeliveryGate(open: true),
                     leaseGrace: Duration = DeliveryLease.grace) {
        let source = TaskDeliverySource(tasks: TasksStore(store: store), leaseGrace: leaseGrace)
        let tokens = ServiceAccountIDTokens(dataDirectory: store.directory)
        self.init(source: source, sender: TaskSender(client: client, tokens: tokens), store: store, gate: gate, recent: recent, logger: logger)
    }
}

extension DeliveryEngine where Source == PushDeliverySource, Sender == PushSender {
    /// The push deliverer over `store`, with at most `maxOutstanding` pushes in flight per subscription.
    convenience init(store: EmulatorStore, client: HTTPClient, logger: Logger, recent: RecentInvocations? = nil, maxOutstanding: Int = 100,
                     gate: DeliveryGate = DeliveryGate(open: true)) {
        let source = PushDeliverySource(pubsub: PubSubStore(store: store), maxOutstanding: maxOutstanding)
        let tokens = ServiceAccountIDTokens(dataDirectory: store.directory)
        self.init(source: source, sender: PushSender(client: client, tokens: tokens, warnings: store.scaleWarnings), store: store, gate: gate, recent: recent, logger: logger)
    }
}

extension DeliveryEngine where Source == TriggerDeliverySource, Sender == TriggerSender {
    /// The trigger deliverer over `store`, sending to the services `serviceURLs` names.
    convenience init(store: EmulatorStore, serviceURLs: @escaping @Sendable () async -> [String: String], lane: TriggerLane = TriggerLane(),
                     client: HTTPClient = .shared, recent: RecentInvocations? = nil, gate: DeliveryGate = DeliveryGate(open: true), logger: Logger) {
        let source = TriggerDeliverySource(store: store, lane: lane)
        self.init(source: source, sender: TriggerSender(client: client, serviceURLs: serviceURLs), store: store, gate: gate, recent: recent, logger: logger)
    }
}
