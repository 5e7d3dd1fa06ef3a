import Foundation
import GoogleCloud

/// The body of `buckets.patch` (merged into the bucket) and `buckets.update` (replacing its
/// mutable fields). In a patch a null label value removes that label.
struct StorageBucketPatch: Codable, Sendable {
    var labels: [String: String?]?
    var versioning: JSONValue?
    var lifecycle: JSONValue?
    var cors: JSONValue?
    var website: JSONValue?
    var iamConfiguration: JSONValue?
    var storageClass: String?

    /// `bucket` with this patch applied (`replace`: fields left out are cleared), at the next
    /// metageneration.
    func applied(to bucket: StorageBucketResource, replace: Bool, now: GoogleTimestamp) -> StorageBucketResource {
        var bucket = bucket
        if replace {
            bucket.labels = labels?.compactMapValues { $0 }
            bucket.versioning = versioning
            bucket.lifecycle = lifecycle
            bucket.cors = cors
            bucket.website = website
            if let iamConfiguration { bucket.iamConfiguration = iamConfiguration }
        } else {
            if let changes = labels {
                var merged = bucket.labels ?? [:]
                for (key, value) in changes { merged[key] = value }
                bucket.labels = merged
            }
            if let versioning { bucket.versioning = versioning }
            if let lifecycle { bucket.lifecycle = lifecycle }
            if let cors { bucket.cors = cors }
            if let website { bucket.website = website }
            if let iamConfiguration { bucket.iamConfiguration = iamConfiguration }
        }
        if bucket.labels?.isEmpty == true { bucket.labels = nil }
        if let storageClass { bucket.storageClass = storageClass }
        let metageneration = (Int64(bucket.metageneration) ?? 1) + 1
        bucket.metageneration = String(metageneration)
        bucket.etag = Data("\(bucket.name)/\(metageneration)".utf8).base64EncodedString()
        bucket.updated = now
        return bucket
    }
}
