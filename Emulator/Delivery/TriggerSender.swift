import Foundation
import GoogleCloud

/// Delivers a storage trigger event to its service as Eventarc does: the CloudEvent in binary
/// mode (`ce-*` headers, the object resource as the body) POSTed to the service's current
/// address plus the trigger's path.
struct TriggerSender: DeliverySender {
    let client: HTTPClient
    /// The pipeline's services by name; asked on every delivery, as a restarted service moves.
    let serviceURLs: @Sendable () async -> [String: String]

    func send(_ delivery: TriggerDelivery, in lane: TriggerLane) async -> DeliveryResponse {
        guard let baseURL = await serviceURLs()[delivery.service] else {
            return DeliveryResponse(target: "(no URL for \(delivery.service))" + delivery.path, failure: "no URL for service \(delivery.service)")
        }
        return await client.deliver(HTTPClient.Request(
            method: "POST", url: baseURL + delivery.path,
            headers: delivery.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
            body: delivery.body, timeout: TriggerDeliverySource.requestTimeout
        ))
    }
}
