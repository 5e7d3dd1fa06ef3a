import GRDB

extension FirestoreStore {
    /// The ids of the collections directly below `parent` (a document or the database root)
    /// that hold a document at any depth, in byte order, a page at a time after `after`.
    /// Each id costs two index seeks on `parent`, however many documents the collection holds.
    func collectionIds(under parent: String, pageSize: Int, after: String?) async throws -> (ids: [String], next: String?) {
        try await store.read { db in
            var ids: [String] = []
            var last = after
            while ids.count < pageSize + 1, let id = try Self.firstCollectionId(under: parent, after: last, in: db) {
                ids.append(id)
                last = id
            }
            let page = Array(ids.prefix(pageSize))
            return (page, ids.count > pageSize ? page.last : nil)
        }
    }

    /// The smallest collection id below `parent` greater than `after`. The collections below
    /// `parent/ID` are `parent/ID` itself and `parent/ID/…`; the next id starts either with `ID`
    /// followed by a byte below `/` or at `ID0` (`0` follows `/`), so two range seeks find it.
    private static func firstCollectionId(under parent: String, after: String?, in db: Database) throws -> String? {
        let prefix = parent + "/"
        let end = parent + "0"
        var candidates: [String] = []
        if let after {
            candidates += try String.fetchAll(db, sql: "SELECT parent FROM firestore_documents WHERE parent > ? AND parent < ? ORDER BY parent LIMIT 1",
                                              arguments: [prefix + after, prefix + after + "/"])
            candidates += try String.fetchAll(db, sql: "SELECT parent FROM firestore_documents WHERE parent >= ? AND parent < ? ORDER BY parent LIMIT 1",
                                              arguments: [prefix + after + "0", end])
        } else {
            candidates += try String.fetchAll(db, sql: "SELECT parent FROM firestore_documents WHERE parent >= ? AND parent < ? ORDER BY parent LIMIT 1",
                                              arguments: [prefix, end])
        }
        return candidates.map { collection in
            String(collection.utf8.dropFirst(prefix.utf8.count).prefix { $0 != UInt8(ascii: "/") })!
        }.min { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
