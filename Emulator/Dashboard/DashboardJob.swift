import Foundation
import GoogleCloud
import PipelineModel

/// A job as the dashboard shows it: the one JSON shape every reader gets (`JobView`) plus what
/// a person scanning the page wants besides — the uploaded file's name, how long the job has
/// taken, the first failure reasons, and links to the job in the web console and to its output CSV.
/// Encoded as the view's fields with these beside them.
@dynamicMemberLookup
struct DashboardJob: Sendable, Equatable, Encodable {
    /// Links a person follows from the job's row.
    struct Links: Sendable, Equatable, Encodable {
        /// The job's page in the web console (`API/#/jobs/ID`), when an `api` service runs; it
        /// opens for the job's owner and for admins once signed in.
        var console: String?
        /// The output CSV, from the emulator's own Storage download (no sign-in: this page is
        /// the emulator's operator view, on loopback).
        var outputCsv: String?
    }

    var view: JobView
    /// The uploaded file's name (the last segment of the object name).
    var sourceName: String
    /// Seconds from creation to finalization, or to the snapshot for a job still running.
    var durationSeconds: Int?
    /// A few failed items' reasons, in row order (empty when none failed or none were read).
    var failureReasons: [String]
    var links: Links

    subscript<Value>(dynamicMember keyPath: KeyPath<JobView, Value>) -> Value {
        view[keyPath: keyPath]
    }

    private enum CodingKeys: String, CodingKey {
        case sourceName, durationSeconds, failureReasons, links
    }

    func encode(to encoder: any Encoder) throws {
        try view.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sourceName, forKey: .sourceName)
        try container.encodeIfPresent(durationSeconds, forKey: .durationSeconds)
        try container.encode(failureReasons, forKey: .failureReasons)
        try container.encode(links, forKey: .links)
    }

    /// The job id as the dashboard's rows and metric labels show it.
    var id: String { view.job.rawValue }
    /// Items recorded so far, succeeded or failed.
    var done: Int { view.succeeded + view.failed }

    /// The last segment of `gs://BUCKET/NAME#GENERATION`'s object name.
    static func sourceName(of record: JobRecord) -> String {
        record.source.name.split(separator: "/").last.map(String.init) ?? record.source.name
    }

    /// Whole seconds from `createdAt` to `finalizedAt`, or to `now` while the job runs.
    static func duration(createdAt: String, finalizedAt: String?, now: Date) -> Int? {
        guard let start = Timestamp.parse(createdAt) else { return nil }
        let end = finalizedAt.flatMap(Timestamp.parse) ?? now
        return max(0, Int(end.timeIntervalSince(start).rounded(.down)))
    }
}
