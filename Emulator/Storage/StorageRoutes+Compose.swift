import Foundation
import GoogleCloud
import Hummingbird

extension StorageRoutes {
    /// `POST /storage/v1/b/B/o/DST/compose`: 1–32 objects of the bucket, concatenated in order,
    /// become `DST` with the body's `destination` metadata.
    func compose(bucket: String, name: String, request: Request) async throws -> Response {
        let body = try await request.decodeJSON(ComposeRequest.self, limit: limits.maxRequestBytes)
        let sources = body.sourceObjects ?? []
        guard (1...32).contains(sources.count) else {
            throw GoogleAPIError.invalidArgument("A compose request needs 1 to 32 sourceObjects (got \(sources.count)).")
        }
        var locations: [String] = []
        for source in sources {
            let object = try await store.object(bucket: bucket, name: try Self.objectName(source.name))
            if let generation = source.generation?.value, generation != object.generation {
                throw GoogleAPIError.notFound("No such object: \(bucket)/\(source.name)#\(generation)")
            }
            if let expected = source.objectPreconditions?.ifGenerationMatch?.value, expected != object.generation {
                throw GoogleAPIError.preconditionFailed("The source object \(bucket)/\(source.name) is not at generation \(expected).")
            }
            locations.append(object.location)
        }
        var attributes = body.destination ?? StorageObjectMetadata()
        attributes.name = nil
        attributes.bucket = nil
        // gcloud sends the first source's checksums as the destination's; Google ignores them for a composite.
        attributes.md5Hash = nil
        attributes.crc32c = nil
        let layout = store.layout
        let written = try await BlockingIO.run { [locations] in try layout.concatenate(locations) }
        let object = try await store.commitObject(bucket: bucket, name: name, attributes: attributes, temporary: written.path,
                                                  checksums: written.checksums, preconditions: try StoragePreconditions(query: request.apiQuery))
        return try APIJSON.response(object.resource(origin: request.originForLinks))
    }
}

/// The body of `objects.compose`.
struct ComposeRequest: Decodable, Sendable {
    struct Source: Decodable, Sendable {
        struct Preconditions: Decodable, Sendable { var ifGenerationMatch: LenientInt64? }
        var name: String
        var generation: LenientInt64?
        var objectPreconditions: Preconditions?
    }
    var sourceObjects: [Source]?
    var destination: StorageObjectMetadata?
}

/// An int64 field that clients send as a JSON string (`"123"`, the API's format) or a number.
struct LenientInt64: Decodable, Sendable, Equatable {
    var value: Int64

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            value = number
        } else if let number = Int64(try container.decode(String.self)) {
            value = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an int64 as a number or string")
        }
    }
}
