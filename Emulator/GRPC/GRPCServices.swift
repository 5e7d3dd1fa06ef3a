import GRPCCore

/// Every gRPC service the emulator serves, over the same stores as the REST routes.
struct GRPCStores: Sendable {
    let pubSub: PubSubStore
    let tasks: TasksStore
    let firestore: FirestoreStore
    let limits: APILimits
}

enum GRPCServices {
    static func make(_ stores: GRPCStores) -> [any RegistrableRPCService] {
        [
            CloudTasksService(store: stores.tasks),
            FirestoreService(store: stores.firestore),
            PublisherService(store: stores.pubSub),
            SubscriberService(store: stores.pubSub),
        ]
    }
}
