import Foundation
import SwiftProtobuf

/// Between the gRPC messages and the REST resources the stores speak. Google's REST APIs are the
/// proto3 JSON mapping of these very messages, so a message's JSON decodes as the REST type and a
/// REST resource's JSON as the message: both transports run the same decoding, checks and store
/// calls, and no field is read one way on one of them.
enum ProtoJSON {
    /// `message` as the REST request or resource type `T`, with REST's error for a bad field.
    static func decode<T: Decodable>(_ type: T.Type, from message: some SwiftProtobuf.Message) throws -> T {
        let json: Data
        do {
            json = try message.jsonUTF8Data()
        } catch let error as JSONEncodingError {
            // A FieldMask path the JSON mapping cannot name (`ackDeadlineSeconds`, `a-b`) is the
            // request's fault, as Google answers it.
            throw GoogleAPIError.invalidArgument("Invalid request: \(error).")
        }
        return try APIJSON.decode(type, from: json)
    }

    /// The REST value `value` as the message `M`.
    static func message<M: SwiftProtobuf.Message>(_ type: M.Type, from value: some Encodable) throws -> M {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return try M(jsonUTF8Data: encoder.encode(value), options: options)
    }

    /// A FieldMask path in JSON names, as REST's `updateMask` carries it: gRPC sends proto field
    /// names (`rate_limits.max_burst_size` → `rateLimits.maxBurstSize`).
    static func jsonPath(_ path: String) -> String {
        path.split(separator: ".").map { component in
            let words = component.split(separator: "_")
            return ([String(words.first ?? "")] + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }).joined()
        }.joined(separator: ".")
    }
}
