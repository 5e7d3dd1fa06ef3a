import Foundation
import GoogleCloud

/// The wire edge of one kind of delivery: builds the request for a claimed item (task headers,
/// push envelope, CloudEvent in binary mode) and sends it. The engine knows nothing of HTTP
/// beyond the answer, so tests hand it a fake sender and no socket is opened.
protocol DeliverySender<Lane, Item>: Sendable {
    associatedtype Lane: DeliveryLane
    associatedtype Item: DeliveryItem

    /// Sends `item` once and reports the answer; never throws, a failure is an answer too.
    func send(_ item: Item, in lane: Lane) async -> DeliveryResponse
}

/// How one attempt was answered.
struct DeliveryResponse: Sendable, Equatable {
    /// The URL requested (or why there was none), for the recent invocations.
    var target: String
    /// The HTTP status; nil when no response came.
    var status: Int?
    /// Why no response came: "deadline exceeded", a connection error.
    var failure: String?
    /// The `Retry-After` header, which Cloud Tasks honours on 429 and 503.
    var retryAfter: String?

    /// The reason a store records for a failed attempt.
    var reason: String {
        status.map { "HTTP status \($0)" } ?? failure ?? "no response"
    }
}

extension HTTPClient {
    /// Executes `request` and reports its answer as a delivery sees it: a timeout is the
    /// attempt's "deadline exceeded", any other failure is described.
    func deliver(_ request: HTTPClient.Request) async -> DeliveryResponse {
        do {
            let response = try await execute(request)
            return DeliveryResponse(target: request.url, status: response.status, retryAfter: response.header("Retry-After"))
        } catch {
            let failure = (error as? HTTPClientError).map { $0 == .timeout ? "deadline exceeded" : "\($0)" } ?? "\(error)"
            return DeliveryResponse(target: request.url, failure: failure)
        }
    }
}
