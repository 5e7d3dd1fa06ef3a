import Crypto
import Foundation
import GoogleCloud

/// A Storage notification as Eventarc delivers it: a CloudEvent in binary mode whose data is
/// the object resource (ARCHITECTURE §3).
struct StorageCloudEvent {
    let type: String
    let object: StoredObject
    let origin: String

    /// Stable per object generation and event type, so a redelivery repeats it.
    var id: String {
        let digest = SHA256.hash(data: Data("\(object.bucket)/\(object.name)#\(object.generation)|\(type)".utf8))
        return digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The binary-mode headers.
    var headers: [String: String] {
        [
            "ce-id": id,
            "ce-source": "//storage.googleapis.com/projects/_/buckets/\(object.bucket)",
            "ce-specversion": "1.0",
            "ce-type": type,
            "ce-subject": "objects/\(object.name)",
            "ce-time": (type == StorageEventType.deleted ? GoogleTimestamp.now() : object.updated).rfc3339,
            "ce-bucket": object.bucket,
            "Content-Type": "application/json; charset=utf-8",
        ]
    }

    /// The object resource as JSON.
    func body() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(object.resource(origin: origin))
    }
}
