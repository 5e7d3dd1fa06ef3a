import Foundation
import FunctionsFramework
import GoogleCloud

/// The body Pub/Sub POSTs to a push endpoint, with the snake_case duplicates it also sends.
struct PushEnvelope: Encodable, Sendable {
    /// The message part of the envelope.
    struct Message: Encodable, Sendable {
        var data: String
        var attributes: [String: String]?
        var messageId: String
        var message_id: String
        var publishTime: String
        var publish_time: String
        var orderingKey: String?
    }

    var message: Message
    var subscription: String
    /// Only when the subscription has a dead-letter policy, as Pub/Sub does.
    var deliveryAttempt: Int?

    /// The envelope for `claimed`; `withDeliveryAttempt` when the subscription has a dead-letter policy.
    init(_ claimed: ClaimedMessage, withDeliveryAttempt: Bool) {
        let id = String(claimed.messageID)
        let published = claimed.publishTime.rfc3339
        message = Message(
            data: claimed.data.base64EncodedString(), attributes: claimed.attributes, messageId: id, message_id: id,
            publishTime: published, publish_time: published, orderingKey: claimed.orderingKey
        )
        subscription = claimed.subscription
        deliveryAttempt = withDeliveryAttempt ? claimed.attempt : nil
    }

    /// The JSON body, keys sorted.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(self)
    }
}
