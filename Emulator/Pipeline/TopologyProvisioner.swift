import GoogleCloud

/// Creates a topology's buckets, topics, push subscriptions and queues through the public
/// APIs — the emulator's own here, the same calls the deployment makes against Google Cloud.
/// Idempotent: what exists already is left as it is.
struct TopologyProvisioner {
    let topology: Topology
    let api: GoogleAPIClient
    /// Base URL of each service, for push endpoints.
    let serviceURLs: [String: String]

    /// What was created, for the log.
    struct Summary: Equatable {
        var created: [String] = []
        var existing: [String] = []
    }

    func provision() async throws -> Summary {
        var summary = Summary()
        func idempotent(_ what: String, _ create: () async throws -> Void) async throws {
            do {
                try await create()
                summary.created.append(what)
            } catch let error as GoogleCloud.GoogleAPIError where error.isAlreadyExists {
                summary.existing.append(what)
            }
        }
        let storage = StorageClient(api: api)
        for bucket in topology.buckets {
            try await idempotent("bucket \(bucket.name)") { try await storage.createBucket(bucket.name, project: topology.project) }
        }
        let pubsub = PubSubClient(api: api, project: topology.project)
        for topic in topology.topics {
            try await idempotent("topic \(topic.name)") { try await pubsub.createTopic(topic.name) }
        }
        for subscription in topology.subscriptions {
            let endpoint = (serviceURLs[subscription.push.service] ?? "http://127.0.0.1:0") + (subscription.push.path ?? "/")
            let resource = GoogleCloud.PubSubSubscription(
                topic: pubsub.topicName(subscription.topic),
                pushConfig: .init(pushEndpoint: endpoint),
                ackDeadlineSeconds: subscription.ackDeadlineSeconds,
                retryPolicy: subscription.retryPolicy.map { .init(minimumBackoff: $0.minimumBackoff, maximumBackoff: $0.maximumBackoff) },
                deadLetterPolicy: subscription.deadLetterPolicy.map { .init(deadLetterTopic: pubsub.topicName($0.topic), maxDeliveryAttempts: $0.maxDeliveryAttempts) }
            )
            try await idempotent("subscription \(subscription.name)") { try await pubsub.createSubscription(subscription.name, resource) }
        }
        let tasks = CloudTasksClient(api: api, project: topology.project, location: topology.location)
        for queue in topology.queues {
            try await idempotent("queue \(queue.name)") { try await tasks.createQueue(queue.name, rateLimits: queue.rateLimits, retryConfig: queue.retryConfig) }
        }
        return summary
    }
}
