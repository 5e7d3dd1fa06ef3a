import Foundation

/// A Pub/Sub message as delivered by a push subscription, its data decoded as `Payload`.
public struct PubSubMessage<Payload: Sendable>: Sendable {
    /// The message data.
    public var data: Payload
    /// Message attributes.
    public var attributes: [String: String]
    /// Server-assigned id; redeliveries repeat it.
    public var messageID: String
    /// When the message was published (RFC 3339), as sent.
    public var publishTime: String?
    /// The ordering key, when the publisher set one.
    public var orderingKey: String?

    public init(data: Payload, attributes: [String: String] = [:], messageID: String, publishTime: String? = nil, orderingKey: String? = nil) {
        self.data = data
        self.attributes = attributes
        self.messageID = messageID
        self.publishTime = publishTime
        self.orderingKey = orderingKey
    }
}

/// The push request body: `{"message":{…},"subscription":"projects/P/subscriptions/S","deliveryAttempt":N}`.
public struct PubSubPush<Payload: Sendable>: Sendable {
    /// The delivered message.
    public var message: PubSubMessage<Payload>
    /// Full subscription name.
    public var subscription: String
    /// Set by Pub/Sub only when the subscription has a dead-letter policy.
    public var deliveryAttempt: Int?

    public init(message: PubSubMessage<Payload>, subscription: String, deliveryAttempt: Int? = nil) {
        self.message = message
        self.subscription = subscription
        self.deliveryAttempt = deliveryAttempt
    }
}

extension PubSubPush where Payload == Data {
    /// Decodes the push envelope from a request, accepting the snake_case duplicates
    /// (`message_id`, `publish_time`) that Pub/Sub also sends.
    public static func decode(from request: InvocationRequest) throws(InvocationError) -> PubSubPush<Data> {
        if let type = request.mediaType, !CloudEvent<Data>.isJSON(type) {
            throw .malformed("Pub/Sub push body must be application/json, got '\(type)'")
        }
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: request.body)
        } catch let error as DecodingError {
            throw .malformed("not a Pub/Sub push envelope: \(error.summary)")
        } catch {
            throw .malformed("not a Pub/Sub push envelope: \(error)")
        }
        let message = envelope.message
        guard let messageID = message.messageId ?? message.message_id, !messageID.isEmpty else {
            throw .malformed("Pub/Sub push message has no messageId")
        }
        var data = Data()
        if let encoded = message.data, !encoded.isEmpty {
            guard let decoded = Data(base64Encoded: encoded) else {
                throw .malformed("Pub/Sub message \(messageID) data is not valid base64")
            }
            data = decoded
        }
        if let attempt = envelope.deliveryAttempt, attempt < 1 {
            throw .malformed("Pub/Sub deliveryAttempt must be at least 1, got \(attempt)")
        }
        return PubSubPush(
            message: PubSubMessage(
                data: data,
                attributes: message.attributes ?? [:],
                messageID: messageID,
                publishTime: message.publishTime ?? message.publish_time,
                orderingKey: message.orderingKey ?? message.ordering_key
            ),
            subscription: envelope.subscription ?? "",
            deliveryAttempt: envelope.deliveryAttempt
        )
    }

    // The wire shape, including the snake_case spellings of the same fields.
    private struct Envelope: Decodable {
        struct Message: Decodable {
            var data: String?
            var attributes: [String: String]?
            var messageId: String?
            var message_id: String?
            var publishTime: String?
            var publish_time: String?
            var orderingKey: String?
            var ordering_key: String?
        }
        var message: Message
        var subscription: String?
        var deliveryAttempt: Int?
    }
}
