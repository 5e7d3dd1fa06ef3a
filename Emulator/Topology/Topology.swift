import GoogleCloud
import PixelPipeCore

/// The pipeline's resources and how they connect — buckets, the services (function binaries),
/// storage triggers, topics, push subscriptions and queues — as read from `infra/pipeline.yaml`.
/// The emulator creates these locally; the deployment scripts create the same in Google Cloud.
///
/// Every mapping refuses keys it does not define (`rejectUnknownKeys`): a misspelt
/// `subscripshuns:` must be an error naming it, not a pipeline silently without subscriptions.
struct Topology: Decodable, Equatable, Sendable {
    struct Bucket: Decodable, Equatable, Sendable {
        var name: String

        private enum CodingKeys: String, CodingKey, CaseIterable { case name }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            name = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .name)
        }
    }

    /// A function binary and the environment it runs with — or, with `url`, a function the
    /// user runs elsewhere (in a debugger, say), which the emulator addresses but does not start.
    struct Service: Decodable, Equatable, Sendable {
        var name: String
        /// Executable name, looked up next to the emulator binary, then on PATH.
        var binary: String
        var env: [String: String] = [:]
        /// Base URL of a service running outside the emulator.
        var url: String?
        /// The loopback port the emulator runs the service on (1–65535, unique among services; not
        /// with `url`); without it, a port chosen once per data directory.
        var port: Int?

        private enum CodingKeys: String, CodingKey, CaseIterable { case name, binary, env, url, port }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self, aliases: Topology.aliases)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            binary = try container.decodeIfPresent(String.self, forKey: .binary) ?? name
            env = try container.decodeIfPresent([String: String].self, forKey: .env) ?? [:]
            url = try container.decodeIfPresent(String.self, forKey: .url)
            port = try container.decodeIfPresent(Int.self, forKey: .port)
        }
    }

    /// Storage events of a bucket, delivered as CloudEvents to a service.
    struct Trigger: Decodable, Equatable, Sendable {
        var name: String
        var bucket: String
        /// `google.cloud.storage.object.v1.finalized` or `….deleted`.
        var event: String
        var prefix: String?
        var suffix: String?
        var service: String
        var path: String

        private enum CodingKeys: String, CodingKey, CaseIterable { case name, bucket, event, prefix, suffix, service, path }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            bucket = try container.decode(String.self, forKey: .bucket)
            event = try container.decodeIfPresent(String.self, forKey: .event) ?? StorageEventType.finalized
            prefix = try container.decodeIfPresent(String.self, forKey: .prefix)
            suffix = try container.decodeIfPresent(String.self, forKey: .suffix)
            service = try container.decode(String.self, forKey: .service)
            path = try container.decodeIfPresent(String.self, forKey: .path) ?? "/"
        }

        /// Whether an object named `name` in `bucket` fires this trigger for `event`.
        func matches(bucket: String, name: String, event: String) -> Bool {
            bucket == self.bucket && event == self.event
                && (prefix.map { name.hasPrefix($0) } ?? true)
                && (suffix.map { name.hasSuffix($0) } ?? true)
        }
    }

    struct Topic: Decodable, Equatable, Sendable {
        var name: String

        private enum CodingKeys: String, CodingKey, CaseIterable { case name }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            name = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .name)
        }
    }

    /// A push subscription delivering a topic's messages to a service.
    struct Subscription: Decodable, Equatable, Sendable {
        // The leaves keep their synthesized decoding; `Subscription` checks their keys.
        struct Push: Decodable, Equatable, Sendable {
            var service: String
            var path: String?
            fileprivate enum CodingKeys: String, CodingKey, CaseIterable { case service, path }
        }
        struct RetryPolicy: Decodable, Equatable, Sendable {
            var minimumBackoff: String?
            var maximumBackoff: String?
            fileprivate enum CodingKeys: String, CodingKey, CaseIterable { case minimumBackoff, maximumBackoff }
        }
        struct DeadLetterPolicy: Decodable, Equatable, Sendable {
            var topic: String
            var maxDeliveryAttempts: Int?
            fileprivate enum CodingKeys: String, CodingKey, CaseIterable { case topic, maxDeliveryAttempts }
        }

        var name: String
        var topic: String
        var push: Push
        var ackDeadlineSeconds: Int?
        var retryPolicy: RetryPolicy?
        var deadLetterPolicy: DeadLetterPolicy?

        private enum CodingKeys: String, CodingKey, CaseIterable { case name, topic, push, ackDeadlineSeconds, retryPolicy, deadLetterPolicy }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            try container.rejectUnknownKeys(under: .push, Push.CodingKeys.self)
            try container.rejectUnknownKeys(under: .retryPolicy, RetryPolicy.CodingKeys.self)
            try container.rejectUnknownKeys(under: .deadLetterPolicy, DeadLetterPolicy.CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            topic = try container.decode(String.self, forKey: .topic)
            push = try container.decode(Push.self, forKey: .push)
            ackDeadlineSeconds = try container.decodeIfPresent(Int.self, forKey: .ackDeadlineSeconds)
            retryPolicy = try container.decodeIfPresent(RetryPolicy.self, forKey: .retryPolicy)
            deadLetterPolicy = try container.decodeIfPresent(DeadLetterPolicy.self, forKey: .deadLetterPolicy)
        }
    }

    /// A Cloud Tasks queue created at start-up (per-job queues are created by the pipeline).
    struct Queue: Decodable, Equatable, Sendable {
        var name: String
        var rateLimits: CloudTasksQueue.RateLimits?
        var retryConfig: CloudTasksQueue.RetryConfig?

        private enum CodingKeys: String, CodingKey, CaseIterable { case name, rateLimits, retryConfig }
        // The fields of Cloud Tasks' `rateLimits` and `retryConfig` that `CloudTasksQueue` reads;
        // listed here because the API's own decoding must tolerate fields Google adds, a pipeline
        // file must not.
        private enum RateLimitsKeys: String, CodingKey, CaseIterable { case maxDispatchesPerSecond, maxBurstSize, maxConcurrentDispatches }
        private enum RetryConfigKeys: String, CodingKey, CaseIterable { case maxAttempts, maxRetryDuration, minBackoff, maxBackoff, maxDoublings }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            try container.rejectUnknownKeys(under: .rateLimits, RateLimitsKeys.self)
            try container.rejectUnknownKeys(under: .retryConfig, RetryConfigKeys.self)
            rateLimits = try container.decodeIfPresent(CloudTasksQueue.RateLimits.self, forKey: .rateLimits)
            retryConfig = try container.decodeIfPresent(CloudTasksQueue.RetryConfig.self, forKey: .retryConfig)
        }
    }

    var project: String
    var location: String
    var buckets: [Bucket]
    var services: [Service]
    var triggers: [Trigger]
    var topics: [Topic]
    var subscriptions: [Subscription]
    var queues: [Queue]
    /// Variables every service gets (a service's own `env` overrides them): the pipeline
    /// settings the stages share, such as bucket names and the image queue's retry policy.
    var env: [String: String]

    private enum CodingKeys: String, CodingKey, CaseIterable { case project, location, env, buckets, services, triggers, topics, subscriptions, queues }

    /// Words people write for a key, suggested as that key: the file calls the environment `env`
    /// (as Cloud Run's YAML does), so `environment:` and its misspellings point there.
    static let aliases = ["environment": "env"]

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, aliases: Self.aliases)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        project = try container.decodeIfPresent(String.self, forKey: .project) ?? "pixelpipe-local"
        location = try container.decodeIfPresent(String.self, forKey: .location) ?? "us-central1"
        buckets = try container.decodeIfPresent([Bucket].self, forKey: .buckets) ?? []
        services = try container.decodeIfPresent([Service].self, forKey: .services) ?? []
        triggers = try container.decodeIfPresent([Trigger].self, forKey: .triggers) ?? []
        topics = try container.decodeIfPresent([Topic].self, forKey: .topics) ?? []
        subscriptions = try container.decodeIfPresent([Subscription].self, forKey: .subscriptions) ?? []
        queues = try container.decodeIfPresent([Queue].self, forKey: .queues) ?? []
        env = try container.decodeIfPresent([String: String].self, forKey: .env) ?? [:]
    }

    /// The service called `name`.
    func service(_ name: String) -> Service? {
        services.first { $0.name == name }
    }
}

/// The Storage CloudEvent types.
enum StorageEventType {
    static let finalized = "google.cloud.storage.object.v1.finalized"
    static let deleted = "google.cloud.storage.object.v1.deleted"
    static let all: Set<String> = [finalized, deleted]
}
