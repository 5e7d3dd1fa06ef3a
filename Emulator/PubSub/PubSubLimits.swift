import Foundation

/// Pub/Sub's documented resource limits (cloud.google.com/pubsub/quotas#resource_limits), refused
/// with the 400 `INVALID_ARGUMENT` messages Pub/Sub answers, so code that publishes too much
/// fails here as it would in production.
enum PubSubLimits {
    /// A request's payload (the JSON body, base64 included): "Request payload size exceeds the limit".
    static let requestBytes = 10_485_760
    /// `:acknowledge` and `:modifyAckDeadline` requests are held to 512 KiB.
    static let ackRequestBytes = 524_288
    /// Messages in one publish request.
    static let messagesPerPublish = 1_000
    /// Decoded size of one publish request, and of one message (data, attributes, ordering key).
    static let publishBytes = 10_000_000
    static let messageBytes = 10_000_000
    static let attributesPerMessage = 100
    static let attributeKeyBytes = 256
    static let attributeValueBytes = 1_024
    static let orderingKeyBytes = 1_024

    /// The error Pub/Sub answers a body over `limit` with.
    static func payloadTooLarge(limit: Int) -> GoogleAPIError {
        .invalidArgument("Request payload size exceeds the limit: \(limit) bytes.")
    }

    /// Pub/Sub's wording for a value over its maximum.
    static func tooLarge(_ field: String, _ value: Int, maximum: Int) -> GoogleAPIError {
        .invalidArgument("The value for \(field) is too large. You passed \(value) in the request, but the maximum value is \(maximum).")
    }

    /// Checks a decoded publish request as Pub/Sub does: at least one message, none empty, and
    /// the limits below. REST and gRPC `Publish` both call it.
    static func checkPublish(_ messages: [(data: Data, attributes: [String: String]?, orderingKey: String?)]) throws {
        guard !messages.isEmpty else { throw GoogleAPIError.invalidArgument("At least one message is required (messages is empty).") }
        for (index, message) in messages.enumerated() where message.data.isEmpty && (message.attributes ?? [:]).isEmpty {
            throw GoogleAPIError.invalidArgument("Some messages are empty: messages[\(index)] has neither data nor attributes.")
        }
        try check(messages)
    }

    /// Checks a decoded publish request against the message, attribute and batch limits.
    static func check(_ messages: [(data: Data, attributes: [String: String]?, orderingKey: String?)]) throws {
        guard messages.count <= messagesPerPublish else { throw tooLarge("message_count", messages.count, maximum: messagesPerPublish) }
        var total = 0
        for message in messages {
            let attributes = message.attributes ?? [:]
            guard attributes.count <= attributesPerMessage else { throw tooLarge("attribute_count", attributes.count, maximum: attributesPerMessage) }
            var size = message.data.count
            for (key, value) in attributes {
                guard key.utf8.count <= attributeKeyBytes else { throw tooLarge("attribute_key_size", key.utf8.count, maximum: attributeKeyBytes) }
                guard value.utf8.count <= attributeValueBytes else { throw tooLarge("attribute_value_size", value.utf8.count, maximum: attributeValueBytes) }
                size += key.utf8.count + value.utf8.count
            }
            let orderingKey = message.orderingKey?.utf8.count ?? 0
            guard orderingKey <= orderingKeyBytes else { throw tooLarge("ordering_key_size", orderingKey, maximum: orderingKeyBytes) }
            size += orderingKey
            guard size <= messageBytes else { throw tooLarge("message_size", size, maximum: messageBytes) }
            total += size
        }
        guard total <= publishBytes else { throw tooLarge("request_size", total, maximum: publishBytes) }
    }
}
