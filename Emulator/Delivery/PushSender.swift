import Foundation
import GoogleCloud

/// Pushes a claimed message to its subscription's `pushEndpoint` as Pub/Sub does: the JSON
/// envelope POSTed within the ack deadline, with `Authorization: Bearer` an ID token of the
/// `oidcToken` service account when the subscription names one.
struct PushSender: DeliverySender {
    let client: HTTPClient
    /// Mints the `oidcToken` ID tokens; nil sends none.
    var tokens: ServiceAccountIDTokens?
    /// Told of every push slower than its ack deadline; nil tells no one.
    var warnings: ScaleWarnings?

    func send(_ message: ClaimedMessage, in subscription: PushSubscriptionSettings) async -> DeliveryResponse {
        let body: Data
        do {
            body = try PushEnvelope(message, withDeliveryAttempt: subscription.deadLetterTopic != nil).encoded()
        } catch {
            return DeliveryResponse(target: subscription.endpoint, failure: "\(error)")
        }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json"), ("User-Agent", "APIs-Google")]
        if let oidc = subscription.oidcToken, let account = oidc.serviceAccountEmail, let tokens {
            do {
                // Pub/Sub's default audience is the push endpoint.
                let audience = oidc.audience.flatMap { $0.isEmpty ? nil : $0 } ?? subscription.endpoint
                headers.append(("Authorization", "Bearer " + (try await tokens.token(serviceAccount: account, audience: audience))))
            } catch {
                return DeliveryResponse(target: subscription.endpoint, failure: "cannot mint the OIDC token: \(error)")
            }
        }
        let started = ContinuousClock.now
        let response = await client.deliver(HTTPClient.Request(
            method: "POST", url: subscription.endpoint,
            headers: headers,
            body: body, timeout: subscription.ackDeadline
        ))
        warnings?.pushAnswered(subscription: subscription.name, endpoint: subscription.endpoint,
                               elapsed: ContinuousClock.now - started, ackDeadline: subscription.ackDeadline)
        return response
    }
}
