import Foundation
import GoogleCloud
import GRDB

extension StorageStore {
    /// Applies `buckets.patch` (or, with `replace`, `buckets.update`) to `name`; 412 when
    /// `ifMetagenerationMatch`/`NotMatch` does not hold.
    func updateBucket(_ name: String, patch: StorageBucketPatch, replace: Bool,
                      ifMetagenerationMatch: Int64?, ifMetagenerationNotMatch: Int64?) async throws -> StorageBucketResource {
        try await store.write { db in
            let bucket = try Self.bucket(name, in: db)
            let metageneration = Int64(bucket.metageneration) ?? 1
            if let expected = ifMetagenerationMatch, expected != metageneration {
                throw GoogleAPIError.preconditionFailed("At least one of the pre-conditions you specified did not hold.")
            }
            if let excluded = ifMetagenerationNotMatch, excluded == metageneration {
                throw GoogleAPIError.preconditionFailed("At least one of the pre-conditions you specified did not hold.")
            }
            let updated = patch.applied(to: bucket, replace: replace, now: MonotonicClock.next())
            try db.execute(sql: "UPDATE storage_buckets SET body = ? WHERE name = ?", arguments: [try StoredJSON.encode(updated), name])
            return updated
        }
    }
}
