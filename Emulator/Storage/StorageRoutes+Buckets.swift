import Foundation
import GoogleCloud
import Hummingbird

extension StorageRoutes {
    /// `PATCH /storage/v1/b/B` (merge) and `PUT /storage/v1/b/B` (replace): labels, versioning,
    /// lifecycle, CORS and website settings are stored and shown back.
    func updateBucket(_ name: String, request: Request) async throws -> Response {
        let patch = try await request.decodeJSON(StorageBucketPatch.self, limit: limits.maxRequestBytes)
        let query = request.apiQuery
        let bucket = try await store.updateBucket(name, patch: patch, replace: request.method == .put,
                                                  ifMetagenerationMatch: try query.int64("ifMetagenerationMatch"),
                                                  ifMetagenerationNotMatch: try query.int64("ifMetagenerationNotMatch"))
        return try APIJSON.response(bucket)
    }

    /// `GET /storage/v1/b/B/storageLayout`, which `gcloud storage rm -r` and `mv` read to learn
    /// that the bucket has a flat namespace.
    func storageLayout(_ name: String) async throws -> Response {
        let bucket = try await store.bucket(name)
        return try APIJSON.response(StorageLayoutResource(bucket: bucket.name, location: bucket.location, locationType: bucket.locationType))
    }
}

extension StorageRoutes {
    /// `GET /storage/v1/b/B/managedFolders`: always empty (the emulator has no managed
    /// folders), which `gcloud storage rm -r gs://B` lists before deleting the bucket.
    func managedFolders(_ name: String) async throws -> Response {
        _ = try await store.bucket(name)
        return try APIJSON.response(["kind": "storage#managedFolders"])
    }
}

/// `storage#storageLayout`: always a flat namespace (no hierarchical namespace folders).
struct StorageLayoutResource: Encodable, Sendable {
    struct Namespace: Encodable, Sendable { var enabled = false }
    var kind = "storage#storageLayout"
    var bucket: String
    var location: String
    var locationType: String
    var hierarchicalNamespace = Namespace()
}
