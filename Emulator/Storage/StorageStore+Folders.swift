import Foundation
import GoogleCloud
import GRDB

/// What the folder watcher does to the store: a file that appeared in a bucket folder becomes a
/// new generation of the object it names, without moving it; a file that vanished deletes its
/// object. Both run in the serialized writer and re-check the row there, so the API's own
/// writes (renamed into place inside their transaction) are never mistaken for drops.
extension StorageStore {
    /// Takes in `DATA/buckets/BUCKET/NAME` as a new generation of `BUCKET/NAME`, unless the
    /// object already records exactly these bytes at that location. Returns the new object.
    @discardableResult
    func adoptFile(bucket: String, name: String) async throws -> StoredObject? {
        let location = "buckets/\(bucket)/\(name)"
        let path = layout.rootPath + "/" + location
        // Read and checksummed off the cooperative pool: a dropped file may be large.
        let summary: (md5: String, crc32c: String, size: Int64)? = try await BlockingIO.run {
            // Only regular files: a symlink moved into a bucket folder must not publish what it points at.
            guard (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType == .typeRegular,
                  let handle = FileHandle(forReadingAtPath: path)
            else { return nil }
            defer { try? handle.close() }
            var checksums = ObjectChecksums()
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                chunk.withUnsafeBytes { checksums.update($0) }
            }
            let (md5, crc32c) = checksums.finish()
            return (md5, crc32c, checksums.size)
        }
        guard let (md5, crc32c, size) = summary else { return nil }
        let events = events
        let object: StoredObject? = try await store.write { db in
            guard try Self.bucketExists(bucket, in: db) else { return nil }
            let live = try Self.object(bucket: bucket, name: name, in: db)
            if let live, live.location == location, live.size == size, live.md5Hash == md5 { return nil }
            let now = MonotonicClock.next()
            let object = StoredObject(
                bucket: bucket, name: name, generation: max(now.microseconds, (live?.generation ?? 0) + 1), metageneration: 1,
                size: size, md5Hash: md5, crc32c: crc32c, contentType: Self.contentType(for: name),
                contentEncoding: nil, contentDisposition: nil, contentLanguage: nil, cacheControl: nil,
                metadata: nil, created: now, updated: now, location: location
            )
            try Self.save(object, in: db)
            if let old = live?.location, old != location { try Self.trash(old, bucket: bucket, in: db) }
            try events?.enqueue(StorageEventType.finalized, object: object, in: db)
            return object
        }
        events?.notify()
        try await emptyTrash()
        return object
    }

    /// Deletes `BUCKET/NAME` if its recorded file `DATA/buckets/BUCKET/NAME` no longer exists.
    @discardableResult
    func forgetMissingFile(bucket: String, name: String) async throws -> Bool {
        let location = "buckets/\(bucket)/\(name)"
        let path = layout.rootPath + "/" + location
        let events = events
        let deleted: Bool = try await store.write { db in
            guard !FileManager.default.fileExists(atPath: path),
                  let live = try Self.object(bucket: bucket, name: name, in: db), live.location == location
            else { return false }
            try db.execute(sql: "DELETE FROM storage_objects WHERE bucket = ? AND name = ?", arguments: [bucket, name])
            try events?.enqueue(StorageEventType.deleted, object: live, in: db)
            return true
        }
        if deleted { events?.notify() }
        return deleted
    }

    /// Every object whose bytes live in a bucket folder, with size and last update (for rescans).
    func folderObjects() async throws -> [String: (size: Int64, updated: Int64)] {
        try await store.read { db in
            var result: [String: (size: Int64, updated: Int64)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT bucket, name, body FROM storage_objects WHERE location LIKE 'buckets/%'") {
                let object = try StoredJSON.decode(StoredObject.self, from: row["body"])
                result[object.location] = (object.size, object.updated.microseconds)
            }
            return result
        }
    }

    private static func bucketExists(_ name: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM storage_buckets WHERE name = ?)", arguments: [name]) ?? false
    }

    /// A content type from the file extension, for files dropped without one.
    static func contentType(for name: String) -> String {
        let ext = (name as NSString).pathExtension.lowercased()
        return [
            "csv": "text/csv", "txt": "text/plain", "json": "application/json", "jpg": "image/jpeg", "jpeg": "image/jpeg",
            "png": "image/png", "webp": "image/webp", "avif": "image/avif", "gif": "image/gif",
        ][ext] ?? "application/octet-stream"
    }
}
