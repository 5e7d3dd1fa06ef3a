import Foundation
import GoogleCloud
import GRDB
import PipelineModel

extension JobTimeline {
    /// The timeline of job `id` from the emulator's Firestore documents (of any project), or nil
    /// when there is no such job.
    static func read(job id: JobID, store: EmulatorStore) async throws -> (timeline: JobTimeline, record: JobRecord)? {
        let firestore = FirestoreStore(store: store)
        let found: (name: String, fields: String)? = try await store.read { db in
            try Row.fetchOne(db, sql: """
                SELECT name, fields FROM firestore_documents
                WHERE parent LIKE 'projects/%/databases/%/documents/jobs' AND name LIKE '%/documents/jobs/' || ?
                LIMIT 1
                """, arguments: [id.rawValue]).map { (name: $0["name"] as String, fields: $0["fields"] as String) }
        }
        guard let found, let fields = try? StoredJSON.decode([String: FirestoreValue].self, from: found.fields),
              let record = try? FirestoreCoding.decode(JobRecord.self, from: fields) else { return nil }
        let stages = try await all(in: "\(found.name)/timings", firestore: firestore, as: StageTimingRecord.self)
        let items = try await all(in: "\(found.name)/items", firestore: firestore, as: ItemRecord.self)
        let timeline = build(
            job: id.rawValue, createdAt: record.createdAt, webhookDeliveredAt: record.webhookDeliveredAt, stages: stages, items: items
        )
        return (timeline, record)
    }

    /// Every document of `collection` that decodes as `T`, a page at a time.
    private static func all<T: Decodable>(in collection: String, firestore: FirestoreStore, as type: T.Type) async throws -> [T] {
        var values: [T] = []
        var after: String?
        repeat {
            let page = try await firestore.list(collection: collection, pageSize: 1_000, after: after)
            values += page.documents.compactMap { document in document.fields.flatMap { try? FirestoreCoding.decode(T.self, from: $0) } }
            after = page.next
        } while after != nil
        return values
    }
}
