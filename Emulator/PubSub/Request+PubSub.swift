import Foundation
import Hummingbird

extension Request {
    /// The JSON body as `T`, refusing more than Pub/Sub's `limit` with its 400 "Request payload
    /// size exceeds the limit"; a smaller `--max-request-bytes` still answers its own 413.
    func decodePubSubJSON<T: Decodable>(_ type: T.Type, limit: Int, configured: APILimits) async throws -> T {
        guard limit < configured.maxRequestBytes else { return try await decodeJSON(type, limit: configured.maxRequestBytes) }
        do {
            return try await decodeJSON(type, limit: limit)
        } catch let error as GoogleAPIError where error.status == .contentTooLarge {
            throw PubSubLimits.payloadTooLarge(limit: limit)
        }
    }
}
