import Foundation

/// A Pub/Sub message to publish.
public struct PubSubOutgoingMessage: Codable, Sendable, Equatable {
    /// The payload, base64 on the wire.
    public var data: Data
    public var attributes: [String: String]?
    public var orderingKey: String?

    public init(data: Data, attributes: [String: String]? = nil, orderingKey: String? = nil) {
        self.data = data
        self.attributes = attributes
        self.orderingKey = orderingKey
    }
}

/// A subscription resource (the fields PixelPipe sets and reads).
public struct PubSubSubscription: Codable, Sendable, Equatable {
    public struct PushConfig: Codable, Sendable, Equatable {
        public struct OIDCToken: Codable, Sendable, Equatable {
            public var serviceAccountEmail: String
            public var audience: String?
            public init(serviceAccountEmail: String, audience: String? = nil) {
                self.serviceAccountEmail = serviceAccountEmail
                self.audience = audience
            }
        }
        /// Where messages are pushed; absent in the empty `pushConfig` (`{}`) Google returns for
        /// pull subscriptions.
        public var pushEndpoint: String?
        public var attributes: [String: String]?
        public var oidcToken: OIDCToken?
        public init(pushEndpoint: String, attributes: [String: String]? = nil, oidcToken: OIDCToken? = nil) {
            self.pushEndpoint = pushEndpoint
            self.attributes = attributes
            self.oidcToken = oidcToken
        }
    }

    public struct RetryPolicy: Codable, Sendable, Equatable {
        /// Durations as Google writes them, e.g. `"10s"`.
        public var minimumBackoff: String?
        public var maximumBackoff: String?
        public init(minimumBackoff: String? = nil, maximumBackoff: String? = nil) {
            self.minimumBackoff = minimumBackoff
            self.maximumBackoff = maximumBackoff
        }
    }

    public struct DeadLetterPolicy: Codable, Sendable, Equatable {
        /// Full topic name, `projects/P/topics/T`.
        public var deadLetterTopic: String
        public var maxDeliveryAttempts: Int?
        public init(deadLetterTopic: String, maxDeliveryAttempts: Int? = nil) {
            self.deadLetterTopic = deadLetterTopic
            self.maxDeliveryAttempts = maxDeliveryAttempts
        }
    }

    /// Full subscription name (set by the server).
    public var name: String?
    /// Full topic name, `projects/P/topics/T`.
    public var topic: String
    public var pushConfig: PushConfig?
    public var ackDeadlineSeconds: Int?
    public var retryPolicy: RetryPolicy?
    public var deadLetterPolicy: DeadLetterPolicy?
    public var messageRetentionDuration: String?

    public init(topic: String, pushConfig: PushConfig? = nil, ackDeadlineSeconds: Int? = nil, retryPolicy: RetryPolicy? = nil, deadLetterPolicy: DeadLetterPolicy? = nil) {
        self.topic = topic
        self.pushConfig = pushConfig
        self.ackDeadlineSeconds = ackDeadlineSeconds
        self.retryPolicy = retryPolicy
        self.deadLetterPolicy = deadLetterPolicy
    }
}

/// A message received by `:pull`.
public struct PubSubReceivedMessage: Decodable, Sendable {
    public struct Message: Decodable, Sendable {
        public var data: Data?
        public var attributes: [String: String]?
        public var messageId: String
        public var publishTime: String?
        public var orderingKey: String?
    }
    public var ackId: String
    public var message: Message
    public var deliveryAttempt: Int?
}
