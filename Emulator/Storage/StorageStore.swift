import Foundation
import GoogleCloud
import GRDB
import HTTPTypes

/// Buckets, objects and resumable upload sessions in SQLite, with object bytes in files laid out
/// by `ObjectLayout`. An object's file is renamed into place inside the same serialized write
/// that records its new generation, so the file and the row change in the same order as the
/// generations.
///
/// A file that loses its object (delete, or a replaced blob) is first recorded in
/// `storage_trash` in the transaction that drops the row, and unlinked by a second serialized
/// write after that commit — or at the next start if the process dies in between. So an
/// acknowledged delete never leaves a file a folder watcher could take for a new drop, and
/// the unlink cannot race an upload that puts a new file at the same path.
struct StorageStore: Sendable {
    let store: EmulatorStore
    let layout: ObjectLayout
    /// Receives object changes inside their transactions, for storage triggers.
    let events: StorageEventHub?

    init(store: EmulatorStore, events: StorageEventHub? = nil) throws {
        self.store = store
        self.events = events
        layout = ObjectLayout(root: store.directory)
        try layout.prepare()
        let layout = layout
        try store.database.write { db in try Self.emptyTrash(in: db, layout: layout) }
    }

    static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-storage") { db in
            try db.execute(sql: """
                CREATE TABLE storage_buckets (name TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE storage_objects (
                    bucket TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL, generation INTEGER NOT NULL,
                    location TEXT NOT NULL, PRIMARY KEY (bucket, name)) WITHOUT ROWID;
                CREATE TABLE storage_uploads (
                    id TEXT PRIMARY KEY, bucket TEXT NOT NULL, name TEXT NOT NULL, metadata TEXT NOT NULL,
                    preconditions TEXT NOT NULL, created_us INTEGER NOT NULL) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2-storage-trash") { db in
            try db.execute(sql: "CREATE TABLE storage_trash (location TEXT PRIMARY KEY, bucket TEXT NOT NULL) WITHOUT ROWID")
        }
    }

    // MARK: Buckets

    func createBucket(_ request: StorageBucketRequest, name: String) async throws -> StorageBucketResource {
        let now = GoogleTimestamp.now()
        let bucket = StorageBucketResource(id: name, name: name, location: request.location?.uppercased() ?? "US",
                                           storageClass: request.storageClass ?? "STANDARD",
                                           etag: Data(name.utf8).base64EncodedString(), timeCreated: now, updated: now, labels: request.labels,
                                           versioning: request.versioning, lifecycle: request.lifecycle, cors: request.cors,
                                           website: request.website, iamConfiguration: request.iamConfiguration)
        let text = try StoredJSON.encode(bucket)
        let layout = layout
        return try await store.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM storage_buckets WHERE name = ?", arguments: [name]) == true {
                throw GoogleAPIError.alreadyExists("The bucket \(name) already exists; bucket names are globally unique.")
            }
            try layout.createBucketFolder(name)
            try db.execute(sql: "INSERT INTO storage_buckets(name, body) VALUES (?, ?)", arguments: [name, text])
            return bucket
        }
    }

    func bucket(_ name: String) async throws -> StorageBucketResource {
        try await store.read { db in try Self.bucket(name, in: db) }
    }

    func listBuckets(pageSize: Int, after: String?, prefix: String?) async throws -> (buckets: [StorageBucketResource], next: String?) {
        try await store.read { db in
            let texts = try String.fetchAll(db, sql: "SELECT body FROM storage_buckets WHERE name > ? AND name >= ? ORDER BY name LIMIT ?",
                                            arguments: [after ?? "", prefix ?? "", pageSize + 1])
            let buckets = try texts.map { try StoredJSON.decode(StorageBucketResource.self, from: $0) }.filter { $0.name.hasPrefix(prefix ?? "") }
            let page = Array(buckets.prefix(pageSize))
            return (page, buckets.count > pageSize ? page.last?.name : nil)
        }
    }

    /// Deletes an empty bucket; 409 while it holds objects.
    func deleteBucket(_ name: String) async throws {
        let layout = layout
        try await store.write { db in
            _ = try Self.bucket(name, in: db)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM storage_objects WHERE bucket = ? LIMIT 1", arguments: [name]) == true {
                throw GoogleAPIError(.failedPrecondition, status: .conflict, "The bucket you tried to delete is not empty: \(name).")
            }
            try db.execute(sql: "DELETE FROM storage_buckets WHERE name = ?", arguments: [name])
            // Inside the writer, so a bucket of the same name created right after keeps its folder.
            layout.removeBucketFolder(name)
        }
    }

    // MARK: Objects

    func object(bucket: String, name: String) async throws -> StoredObject {
        try await store.read { db in
            _ = try Self.bucket(bucket, in: db)
            guard let object = try Self.object(bucket: bucket, name: name, in: db) else { throw Self.noSuchObject(bucket, name) }
            return object
        }
    }

    /// Records a new generation of `bucket/name` whose bytes are in the fsync'd file
    /// `temporary`, if `preconditions` hold; the file is moved into place in the same write.
    func commitObject(bucket: String, name: String, attributes: StorageObjectMetadata, temporary: String,
                      checksums: ObjectChecksums, preconditions: StoragePreconditions, uploadID: String? = nil) async throws -> StoredObject {
        let (md5, crc32c) = checksums.finish()
        if let given = attributes.md5Hash, given != md5 {
            unlink(temporary)
            throw GoogleAPIError.invalidArgument("Provided MD5 hash \"\(given)\" doesn't match calculated MD5 hash \"\(md5)\".")
        }
        if let given = attributes.crc32c, given != crc32c {
            unlink(temporary)
            throw GoogleAPIError.invalidArgument("Provided CRC32C \"\(given)\" doesn't match calculated CRC32C \"\(crc32c)\".")
        }
        let layout = layout
        let size = checksums.size
        do {
            let (object, replaced) = try await store.write { db -> (StoredObject, String?) in
                _ = try Self.bucket(bucket, in: db)
                if let uploadID {
                    try db.execute(sql: "DELETE FROM storage_uploads WHERE id = ?", arguments: [uploadID])
                    guard db.changesCount > 0 else { throw GoogleAPIError.notFound("No upload session \(uploadID); it was finished or cancelled.") }
                }
                let live = try Self.object(bucket: bucket, name: name, in: db)
                try preconditions.check(live)
                let now = MonotonicClock.next()
                let generation = max(now.microseconds, (live?.generation ?? 0) + 1)
                let location = try layout.place(temporary, bucket: bucket, name: name, generation: generation)
                // The new file must not be unlinked by an earlier delete's pending cleanup.
                try db.execute(sql: "DELETE FROM storage_trash WHERE location = ?", arguments: [location])
                let object = StoredObject(
                    bucket: bucket, name: name, generation: generation, metageneration: 1, size: size, md5Hash: md5, crc32c: crc32c,
                    contentType: attributes.contentType ?? "application/octet-stream",
                    contentEncoding: attributes.contentEncoding, contentDisposition: attributes.contentDisposition,
                    contentLanguage: attributes.contentLanguage, cacheControl: attributes.cacheControl,
                    metadata: attributes.metadata.map { $0.compactMapValues { $0 } }, created: now, updated: now, location: location
                )
                try Self.save(object, in: db)
                try events?.enqueue(StorageEventType.finalized, object: object, in: db)
                let replaced = live.map(\.location).flatMap { $0 == location ? nil : $0 }
                if let replaced { try Self.trash(replaced, bucket: bucket, in: db) }
                return (object, replaced)
            }
            events?.notify()
            if replaced != nil { try await emptyTrash() }
            return object
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Changes an object's metadata (new metageneration, same bytes). With `replace`
    /// (`objects.update`), fields the request leaves out are cleared instead of kept.
    func patchObject(bucket: String, name: String, patch: StorageObjectMetadata, replace: Bool = false,
                     preconditions: StoragePreconditions) async throws -> StoredObject {
        try await store.write { db in
            _ = try Self.bucket(bucket, in: db)
            guard var object = try Self.object(bucket: bucket, name: name, in: db) else { throw Self.noSuchObject(bucket, name) }
            try preconditions.check(object)
            if replace {
                object.contentType = patch.contentType ?? "application/octet-stream"
                object.contentEncoding = patch.contentEncoding
                object.contentDisposition = patch.contentDisposition
                object.contentLanguage = patch.contentLanguage
                object.cacheControl = patch.cacheControl
                object.metadata = patch.metadata.map { $0.compactMapValues { $0 } }.flatMap { $0.isEmpty ? nil : $0 }
            } else {
                if let contentType = patch.contentType { object.contentType = contentType }
                if let value = patch.contentEncoding { object.contentEncoding = value }
                if let value = patch.contentDisposition { object.contentDisposition = value }
                if let value = patch.contentLanguage { object.contentLanguage = value }
                if let value = patch.cacheControl { object.cacheControl = value }
                if let changes = patch.metadata {
                    var metadata = object.metadata ?? [:]
                    for (key, value) in changes { metadata[key] = value }
                    object.metadata = metadata.isEmpty ? nil : metadata
                }
            }
            object.metageneration += 1
            object.updated = MonotonicClock.next()
            try Self.save(object, in: db)
            return object
        }
    }

    func deleteObject(bucket: String, name: String, preconditions: StoragePreconditions) async throws {
        try await store.write { db in
            _ = try Self.bucket(bucket, in: db)
            guard let live = try Self.object(bucket: bucket, name: name, in: db) else { throw Self.noSuchObject(bucket, name) }
            try preconditions.check(live)
            try db.execute(sql: "DELETE FROM storage_objects WHERE bucket = ? AND name = ?", arguments: [bucket, name])
            try Self.trash(live.location, bucket: bucket, in: db)
            try events?.enqueue(StorageEventType.deleted, object: live, in: db)
        }
        events?.notify()
        try await emptyTrash()
    }

    /// One page of a listing. With a delimiter, names with the delimiter after the prefix are
    /// rolled up into `prefixes`; items and prefixes both count towards `maxResults`.
    func listObjects(bucket: String, prefix: String, delimiter: String?, maxResults: Int, after: String?) async throws
        -> (objects: [StoredObject], prefixes: [String], next: String?) {
        try await store.read { db in
            _ = try Self.bucket(bucket, in: db)
            var objects: [StoredObject] = []
            var prefixes: [String] = []
            var cursor = after ?? ""
            var lastKey: String?
            let upper = prefix + "\u{10FFFF}"
            scan: while true {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT name, body FROM storage_objects WHERE bucket = ? AND name >= ? AND name < ? AND name > ? ORDER BY name LIMIT 500
                    """, arguments: [bucket, prefix, upper, cursor])
                if rows.isEmpty { break }
                for row in rows {
                    let name: String = row["name"]
                    if let delimiter, !delimiter.isEmpty, let range = name.dropFirst(prefix.count).range(of: delimiter) {
                        let rolled = String(name[..<range.upperBound])
                        if objects.count + prefixes.count == maxResults { return (objects, prefixes, lastKey) }
                        prefixes.append(rolled)
                        lastKey = rolled + "\u{10FFFF}"
                        cursor = lastKey!
                        continue scan
                    }
                    if objects.count + prefixes.count == maxResults { return (objects, prefixes, lastKey) }
                    objects.append(try StoredJSON.decode(StoredObject.self, from: row["body"]))
                    lastKey = name
                    cursor = name
                }
            }
            return (objects, prefixes, nil)
        }
    }

    // MARK: Resumable uploads

    /// Opens a session; the bytes arrive later with `appendUpload`.
    func createUpload(id: String, bucket: String, name: String, metadata: StorageObjectMetadata, preconditions: StoragePreconditions) async throws {
        let metadataText = try StoredJSON.encode(metadata)
        let preconditionsText = try StoredJSON.encode(preconditions)
        try await store.write { db in
            _ = try Self.bucket(bucket, in: db)
            try db.execute(sql: """
                INSERT INTO storage_uploads(id, bucket, name, metadata, preconditions, created_us) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [id, bucket, name, metadataText, preconditionsText, GoogleTimestamp.now().microseconds])
        }
    }

    /// A session's target and settings.
    func upload(id: String) async throws -> (bucket: String, name: String, metadata: StorageObjectMetadata, preconditions: StoragePreconditions, received: Int64) {
        let layout = layout
        return try await store.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM storage_uploads WHERE id = ?", arguments: [id]) else {
                throw GoogleAPIError.notFound("No upload session \(id); it was finished or cancelled.")
            }
            return (row["bucket"], row["name"], try StoredJSON.decode(StorageObjectMetadata.self, from: row["metadata"]),
                    try StoredJSON.decode(StoragePreconditions.self, from: row["preconditions"]), try layout.size(atPath: layout.uploadPath(id)))
        }
    }

    /// Appends a chunk starting at `offset` (bytes already held are skipped, as Google does on
    /// a retried chunk); returns the bytes held afterwards. Serialized with all writes.
    func appendUpload(id: String, offset: Int64, data: Data) async throws -> Int64 {
        let layout = layout
        return try await store.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM storage_uploads WHERE id = ?", arguments: [id]) == true else {
                throw GoogleAPIError.notFound("No upload session \(id); it was finished or cancelled.")
            }
            let held = try layout.size(atPath: layout.uploadPath(id))
            guard offset <= held else {
                throw GoogleAPIError.invalidArgument("Content-Range starts at byte \(offset) but only \(held) bytes were received; resume from \(held).")
            }
            let skip = Int(held - offset)
            guard skip < data.count else { return held }
            return try layout.append(data.dropFirst(skip), toUpload: id)
        }
    }

    func cancelUpload(id: String) async throws {
        try await store.write { db in
            try db.execute(sql: "DELETE FROM storage_uploads WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw GoogleAPIError.notFound("No upload session \(id).") }
        }
        unlink(layout.uploadPath(id))
    }

    // MARK: Trash

    /// Unlinks the files of committed deletions, serialized with every other write.
    func emptyTrash() async throws {
        let layout = layout
        try await store.write { db in try Self.emptyTrash(in: db, layout: layout) }
    }

    static func trash(_ location: String, bucket: String, in db: Database) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO storage_trash(location, bucket) VALUES (?, ?)", arguments: [location, bucket])
    }

    private static func emptyTrash(in db: Database, layout: ObjectLayout) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT location, bucket FROM storage_trash")
        for row in rows {
            layout.remove(row["location"], bucket: row["bucket"])
        }
        if !rows.isEmpty { try db.execute(sql: "DELETE FROM storage_trash") }
    }

    // MARK: Rows

    static func bucket(_ name: String, in db: Database) throws -> StorageBucketResource {
        guard let text = try String.fetchOne(db, sql: "SELECT body FROM storage_buckets WHERE name = ?", arguments: [name]) else {
            throw GoogleAPIError.notFound("The specified bucket does not exist: \(name).")
        }
        return try StoredJSON.decode(StorageBucketResource.self, from: text)
    }

    static func object(bucket: String, name: String, in db: Database) throws -> StoredObject? {
        try String.fetchOne(db, sql: "SELECT body FROM storage_objects WHERE bucket = ? AND name = ?", arguments: [bucket, name])
            .map { try StoredJSON.decode(StoredObject.self, from: $0) }
    }

    static func save(_ object: StoredObject, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO storage_objects(bucket, name, body, generation, location) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(bucket, name) DO UPDATE SET body = excluded.body, generation = excluded.generation, location = excluded.location
            """, arguments: [object.bucket, object.name, try StoredJSON.encode(object), object.generation, object.location])
    }

    static func noSuchObject(_ bucket: String, _ name: String) -> GoogleAPIError {
        .notFound("No such object: \(bucket)/\(name)")
    }
}
