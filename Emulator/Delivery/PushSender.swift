import Foundation
import GoogleCloud

/// Pushes a claimed message to its subscription's `pushEndpoint` as Pub/Sub does: the JSON
/// envelope POSTed within the ack deadline.
struct PushSender: DeliverySender {
    let client: HTTPClient

    func send(_ message: ClaimedMessage, in subscription: PushSubscriptionSettings) async -> DeliveryResponse {
        let body: Data
        do {
            body = try PushEnvelope(message, withDeliveryAttempt: subscription.deadLetterTopic != nil).encoded()
        } catch {
            return DeliveryResponse(target: subscription.endpoint, failure: "\(error)")
        }
        return await client.deliver(HTTPClient.Request(
            method: "POST", url: subscription.endpoint,
            headers: [("Content-Type", "application/json"), ("User-Agent", "APIs-Google")],
            body: body, timeout: subscription.ackDeadline
        ))
    }
}
