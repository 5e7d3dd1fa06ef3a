import Foundation
import GoogleCloud
import PipelineModel

/// Reads jobs and items as the API shows them, with Firestore structured queries
/// (`:runQuery`), so the same code runs on the emulator and on real Firestore: jobs newest
/// first (`createdAt` descending, then the document name), items in row order (document
/// name). Pages end where `limit` says; the next one starts after the last document shown.
struct JobCatalog: Sendable {
    let jobs: JobStore
    var firestore: FirestoreClient { jobs.firestore }

    /// The job `id` as it stands, `queued` when only its upload is known, or nil.
    func job(_ id: JobID) async throws -> JobResource? {
        if let state = try await jobs.state(id) { return JobResource(state) }
        if let document = try await firestore.document("\(SubmissionRecord.collection)/\(id)") {
            return try document.decode(SubmissionRecord.self).resource
        }
        return nil
    }

    /// One page of jobs, newest first, optionally only those in `status`; only `owner`'s
    /// unless `owner` is nil (an admin's listing).
    func jobs(owner: String?, status: JobResource.Status?, pageSize: Int, after token: PageToken?) async throws -> JobPage {
        // Queued jobs have no job document yet: the listing shows jobs ingest has made.
        if status == .queued { return JobPage(jobs: []) }
        var cursor: FirestoreQuery.Cursor?
        if let token, let createdAt = token.createdAt {
            cursor = .init(values: [.string(createdAt), .reference(firestore.documentName("jobs/\(token.after)"))], before: false)
        }
        var filters: [FirestoreQuery.Filter] = []
        if let owner { filters.append(.field("owner", .equal, .string(owner))) }
        if let status { filters.append(.field("status", .equal, .string(status.rawValue))) }
        let query = FirestoreQuery(
            from: "jobs", where: filters.isEmpty ? nil : filters.count == 1 ? filters[0] : .and(filters),
            orderBy: [.init("createdAt", .descending), .init("__name__", .descending)],
            startAt: cursor, limit: pageSize + 1
        )
        let documents = try await firestore.runQuery(query)
        var resources: [JobResource] = []
        for document in documents.prefix(pageSize) {
            let record = try document.decode(JobRecord.self)
            let counters = record.finalCounts == nil && record.status == .running ? try await jobs.counters(record.id) : []
            resources.append(JobResource(JobState(record: record, counters: counters)))
        }
        var next: String?
        if documents.count > pageSize, let last = resources.last {
            next = PageToken(kind: "jobs", status: status?.rawValue, createdAt: last.createdAt, after: last.id).encoded()
        }
        return JobPage(jobs: resources, nextPageToken: next)
    }

    /// One page of job `id`'s items in row order, optionally only those in `status`.
    func items(_ id: JobID, status: ItemResource.Status?, pageSize: Int, after token: PageToken?) async throws -> ItemPage {
        let collection = PipelineNames.itemsCollection(job: id)
        let cursor = token.map { FirestoreQuery.Cursor(values: [.reference(firestore.documentName("\(collection)/\($0.after)"))], before: false) }
        let query = FirestoreQuery(
            from: "items", where: status.map { .field("status", .equal, .string($0.rawValue)) },
            orderBy: [.init("__name__", .ascending)], startAt: cursor, limit: pageSize + 1
        )
        let documents = try await firestore.runQuery(query, parent: PipelineNames.jobDocument(job: id))
        let shown = documents.prefix(pageSize)
        let items = try shown.map { ItemResource(try $0.decode(ItemRecord.self), job: id) }
        var next: String?
        if documents.count > pageSize, let name = shown.last?.name, let documentID = name.split(separator: "/").last {
            next = PageToken(kind: "items", status: status?.rawValue, after: String(documentID)).encoded()
        }
        return ItemPage(items: items, nextPageToken: next)
    }

    /// The item `itemID` (`ROW-INDEX`) of job `id`, or nil.
    func item(_ id: JobID, _ itemID: String) async throws -> ItemRecord? {
        let parts = itemID.split(separator: "-")
        guard parts.count == 2, let row = Int(parts[0]), let index = Int(parts[1]), row >= 0, index >= 0, row < 1_000_000_000_000, index < 10_000_000 else {
            return nil
        }
        return try await firestore.document(PipelineNames.itemDocument(job: id, row: row, index: index))?.decode(ItemRecord.self)
    }
}
