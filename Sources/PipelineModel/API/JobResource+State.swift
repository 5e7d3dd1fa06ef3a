import Foundation
import GoogleCloud

extension JobResource {
    /// The resource of a job ingest has created: its document and counter shards in `state`,
    /// read at `now`. Counts come from the frozen `finalCounts` once the job is final, so the API
    /// shows what the output CSV and the webhook said. Rate and ETA are shown while the job runs:
    /// the items recorded so far over the time from the job's creation (or latest retry) to the
    /// latest item.
    public init(_ state: JobState, now: Date = Date()) {
        let record = state.record
        let counts = state.shown
        let status = Status(record.status)
        var rate: Double?
        var eta: Int?
        // A retried job's rate counts from its retry: the items of the earlier run are not its pace.
        if status == .running, let started = Timestamp.parse(record.retriedAt ?? record.createdAt) {
            let recorded = counts.succeeded + counts.failed
            let until = state.lastItemAt.flatMap(Timestamp.parse) ?? now
            let seconds = until.timeIntervalSince(started)
            if recorded > 0, seconds > 0 {
                let perSecond = Double(recorded) / seconds
                rate = (perSecond * 100).rounded() / 100
                eta = Int((Double(counts.remaining) / perSecond).rounded(.up))
            }
        }
        self.init(
            id: record.id.rawValue, status: status,
            source: Source(uri: record.source.uri, name: Self.fileName(of: record.source.name)),
            counts: Counts(total: record.total, succeeded: counts.succeeded, failed: counts.failed, remaining: counts.remaining,
                           missing: counts.missing, cancelled: counts.cancelled),
            progress: counts.progress, ratePerSecond: rate, etaSeconds: eta,
            recipe: Self.recipeValue(record.recipe), webhookUrl: record.webhookURL,
            createdAt: record.createdAt, startedAt: record.status == .rejected ? nil : record.createdAt,
            finishedAt: record.finalizedAt, error: record.error, owner: record.owner, traceId: record.traceID
        )
    }

    /// The last path segment of an object name: the file name the user uploaded, since the API
    /// stores uploads as `api/KEY/FILENAME` and a folder drop's object name is its file's path.
    public static func fileName(of objectName: String) -> String {
        objectName.split(separator: "/").last.map(String.init) ?? objectName
    }

    /// The recipe document `json` as a JSON value (an empty object when absent or unreadable).
    public static func recipeValue(_ json: String?) -> JSONValue {
        guard let json, let value = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) else { return .object([:]) }
        return value
    }
}

extension JobResource.Status {
    /// The API status of a job document's status.
    public init(_ status: JobRecord.Status) {
        switch status {
        case .running: self = .running
        case .finished: self = .finished
        case .finishedWithErrors: self = .finishedWithErrors
        case .rejected: self = .rejected
        case .timedOut: self = .timedOut
        case .cancelled: self = .cancelled
        }
    }
}
