import Crypto
import Foundation
import GoogleCloud
import PipelineModel

/// Keeps each user within `UsageLimits`. Images are counted per user and UTC day in
/// `apiUsage/DAY_USER` and reserved before a submission is stored, with an optimistic
/// precondition on the document, so two submissions at once cannot both take the last of a
/// day's allowance. Active jobs are counted with a query when a submission starts: the user's
/// running jobs, plus CSVs stored in the last minutes that ingest has not made jobs of yet.
struct UsageLedger: Sendable {
    static let collection = "apiUsage"
    /// How far back a stored CSV counts as queued when no job exists for it yet.
    static let queuedWindow: TimeInterval = 300

    let firestore: FirestoreClient
    let limits: UsageLimits

    /// The day's counter document of `uid`.
    struct DayCounter: Codable, Sendable {
        var uid: String
        var day: String
        var images: Int
    }

    /// `caller`'s usage now.
    func usage(of caller: Caller, now: Date = Date()) async throws -> CallerResource.Usage {
        let counter = try await firestore.document(Self.counterPath(uid: caller.uid, now: now))
        let images = try counter.map { try $0.decode(DayCounter.self).images } ?? 0
        return CallerResource.Usage(activeJobs: try await activeJobs(of: caller.uid, now: now), imagesToday: images)
    }

    /// Refuses with 429 when `caller` already has as many active jobs as allowed.
    func checkActiveJobs(_ caller: Caller, now: Date = Date()) async throws {
        guard !caller.isAdmin else { return }
        let active = try await activeJobs(of: caller.uid, now: now)
        if active >= limits.maxActiveJobs {
            throw Problem.tooManyRequests(
                "you have \(active) jobs queued or running, the most allowed at once (\(limits.maxActiveJobs)); submit again when one has finished",
                retryAfter: 30)
        }
    }

    /// Takes `images` of `caller`'s allowance for today, or refuses with 429 until midnight UTC.
    func reserve(images: Int, for caller: Caller, now: Date = Date()) async throws {
        guard !caller.isAdmin else { return }
        let path = Self.counterPath(uid: caller.uid, now: now)
        for _ in 0..<8 {
            let document = try await firestore.document(path)
            let used = try document.map { try $0.decode(DayCounter.self).images } ?? 0
            guard used + images <= limits.maxImagesPerDay else {
                throw Problem.tooManyRequests(
                    "this submission holds \(images) images and \(used) of today's \(limits.maxImagesPerDay) are used; the allowance renews at 00:00 UTC",
                    retryAfter: Self.secondsToMidnight(now))
            }
            let counter = DayCounter(uid: caller.uid, day: Self.day(now), images: used + images)
            let precondition: FirestoreWrite.Precondition = document?.updateTime.map { .updateTime($0) } ?? .exists(false)
            do {
                _ = try await firestore.commit([.init(.update(path: path, fields: try FirestoreCoding.fields(from: counter), mask: nil), precondition: precondition)])
                return
            } catch let error as GoogleAPIError where error.isPreconditionFailed || error.isAlreadyExists || error.status == "ABORTED" {
                continue  // Another submission of the user counted first: read again.
            }
        }
        throw Problem.unavailable("your usage could not be counted (too many submissions at once); retry the request")
    }

    /// Running jobs of `uid`, plus CSVs of theirs stored recently that are not jobs yet.
    private func activeJobs(of uid: String, now: Date) async throws -> Int {
        let running = FirestoreQuery(from: "jobs", where: .and([
            .field("owner", .equal, .string(uid)), .field("status", .equal, .string(JobRecord.Status.running.rawValue)),
        ]))
        let counted = try await firestore.runAggregationQuery(running, aggregations: [.count(as: "running", upTo: Int64(limits.maxActiveJobs))])
        var active = 0
        if case .integer(let count)? = counted["running"] { active = Int(count) }
        let since = Timestamp.format(now.addingTimeInterval(-Self.queuedWindow))
        let recent = FirestoreQuery(from: SubmissionRecord.collection, where: .and([
            .field("owner", .equal, .string(uid)), .field("createdAt", .greaterThanOrEqual, .string(since)),
        ]), limit: limits.maxActiveJobs)
        for document in try await firestore.runQuery(recent) {
            guard let id = document.name?.split(separator: "/").last.flatMap({ JobID(String($0)) }) else { continue }
            if try await firestore.document("jobs/\(id)") == nil { active += 1 }
        }
        return active
    }

    static func counterPath(uid: String, now: Date) -> String {
        // The uid is hashed: document ids may not hold every character a uid may.
        let digest = SHA256.hash(data: Data(uid.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        return "\(collection)/\(day(now))_\(digest)"
    }

    static func day(_ date: Date) -> String {
        String(Timestamp.format(date).prefix(10))
    }

    static func secondsToMidnight(_ now: Date) -> Int {
        let seconds = Int(now.timeIntervalSince1970)
        return 86_400 - seconds % 86_400
    }
}
