import Foundation
import GoogleCloud

/// The object metadata a client may send (upload metadata, `PATCH`); everything optional.
struct StorageObjectMetadata: Codable, Sendable {
    var name: String?
    var bucket: String?
    var contentType: String?
    var contentEncoding: String?
    var contentDisposition: String?
    var contentLanguage: String?
    var cacheControl: String?
    /// Custom metadata; in `PATCH` a null value removes the key.
    var metadata: [String: String?]?
    var md5Hash: String?
    var crc32c: String?
}

/// An object as stored: what the database row holds.
struct StoredObject: Sendable, Codable {
    var bucket: String
    var name: String
    var generation: Int64
    var metageneration: Int64
    var size: Int64
    var md5Hash: String
    var crc32c: String
    var contentType: String
    var contentEncoding: String?
    var contentDisposition: String?
    var contentLanguage: String?
    var cacheControl: String?
    var metadata: [String: String]?
    var created: GoogleTimestamp
    var updated: GoogleTimestamp
    /// Where the bytes are, relative to the data directory.
    var location: String

    var etag: String { Data("\(generation)/\(metageneration)".utf8).base64EncodedString() }

    /// The JSON API's `storage#object` resource; links point at `origin`.
    func resource(origin: String) -> StorageObjectResource {
        let encoded = name.percentEncodedPathSegment()
        return StorageObjectResource(
            id: "\(bucket)/\(name)/\(generation)",
            selfLink: "\(origin)/storage/v1/b/\(bucket)/o/\(encoded)",
            mediaLink: "\(origin)/download/storage/v1/b/\(bucket)/o/\(encoded)?generation=\(generation)&alt=media",
            name: name, bucket: bucket, generation: String(generation), metageneration: String(metageneration),
            contentType: contentType, contentEncoding: contentEncoding, contentDisposition: contentDisposition,
            contentLanguage: contentLanguage, cacheControl: cacheControl,
            size: String(size), md5Hash: md5Hash, crc32c: crc32c, etag: etag,
            timeCreated: created, updated: updated, timeStorageClassUpdated: created, metadata: metadata
        )
    }
}

/// `storage#object`.
struct StorageObjectResource: Encodable, Sendable {
    var kind = "storage#object"
    var id: String
    var selfLink: String
    var mediaLink: String
    var name: String
    var bucket: String
    var generation: String
    var metageneration: String
    var contentType: String
    var contentEncoding: String?
    var contentDisposition: String?
    var contentLanguage: String?
    var cacheControl: String?
    var storageClass = "STANDARD"
    var size: String
    var md5Hash: String
    var crc32c: String
    var etag: String
    var timeCreated: GoogleTimestamp
    var updated: GoogleTimestamp
    var timeStorageClassUpdated: GoogleTimestamp
    var metadata: [String: String]?
}

/// `storage#objects`, a page of a listing.
struct StorageObjectList: Encodable, Sendable {
    var kind = "storage#objects"
    var items: [StorageObjectResource]?
    var prefixes: [String]?
    var nextPageToken: String?
}

/// A bucket as clients send it on create.
struct StorageBucketRequest: Codable, Sendable {
    var name: String?
    var location: String?
    var storageClass: String?
    var labels: [String: String]?
    var versioning: JSONValue?
    var lifecycle: JSONValue?
    var cors: JSONValue?
    var website: JSONValue?
    var iamConfiguration: JSONValue?
}

/// `storage#bucket`.
struct StorageBucketResource: Codable, Sendable {
    var kind = "storage#bucket"
    var id: String
    var selfLink: String?
    var projectNumber = "0"
    var name: String
    var metageneration = "1"
    var location: String
    var locationType = "multi-region"
    var storageClass: String
    var etag: String
    var timeCreated: GoogleTimestamp
    var updated: GoogleTimestamp
    var labels: [String: String]?
    /// Stored and shown as sent (`{"enabled": true}`); only the live generation is kept either way.
    var versioning: JSONValue?
    /// Stored and shown as sent; the emulator never expires objects by its rules.
    var lifecycle: JSONValue?
    var cors: JSONValue?
    var website: JSONValue?
    var iamConfiguration: JSONValue?
}

/// `storage#buckets`.
struct StorageBucketList: Encodable, Sendable {
    var kind = "storage#buckets"
    var items: [StorageBucketResource]?
    var nextPageToken: String?
}
