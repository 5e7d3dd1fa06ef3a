import Foundation
import GoogleCloud
import PipelineModel
import Synchronization
import TestSupport

/// A small server speaking the jobs API's contract (`POST /v1/jobs`, a job, its items,
/// problem+json) with scripted jobs, for what the real api under `emulator up` cannot produce on
/// demand. Each read of a running job records one more item, so a job moves as the CLI polls it
/// and no test waits on a clock. The uploaded file's name picks the script:
///
/// - `good…`: every item succeeds, the job ends `finished`;
/// - `rejected…`: two items are recorded, then the job is `rejected`;
/// - `badrow…`: the upload is refused, 400 problem+json naming row 3.
///
/// Every `/v1` route wants `Authorization: Bearer` with an ID token `identity` issued (or its
/// `scriptToken`), and answers 401 problem+json without one, as the api does.
final class ContractServer: Sendable {
    private struct Job {
        var resource: JobResource
        var script: String
        var items: [ItemResource] = []
    }

    private let jobs = Mutex<[String: Job]>([:])
    /// Items each job will have: one per data row of its uploaded CSV.
    private let itemsPlanned = Mutex<[String: Int]>([:])
    private let recording = RecordingServer()
    /// The port served on, for the output links.
    private let port = Mutex(0)

    /// Output downloads (`/files/…`) being answered now, and the most there ever were at once.
    private let downloads = Mutex((now: 0, most: 0))

    /// `/config.json` and the Firebase Auth routes, on the same port.
    let identity: ScriptedIdentity

    init(identity: ScriptedIdentity = ScriptedIdentity()) {
        self.identity = identity
    }

    /// Every request received so far.
    var requests: [RecordedRequest] { recording.requests }

    /// The requests to the jobs API (`/v1/…`) received so far.
    var apiRequests: [RecordedRequest] { requests.filter { $0.path.hasPrefix("/v1/") } }

    /// The most output downloads that were in flight at once.
    var mostDownloadsAtOnce: Int { downloads.withLock { $0.most } }

    /// Serves on a loopback port for the duration of `body`. Output downloads are answered
    /// after `downloadDelay`, so that downloads the CLI runs at once overlap here.
    func run<T: Sendable>(downloadDelay: Duration = .zero, _ body: @Sendable (Int) async throws -> T) async throws -> T {
        let delay: @Sendable (RecordedRequest) -> Duration = { [self] request in
            guard request.path.hasPrefix("/files/") else { return .zero }
            downloads.withLock { state in
                state.now += 1
                state.most = max(state.most, state.now)
            }
            return downloadDelay
        }
        return try await recording.run(respond: { [self] request, _ in answer(request) }, delay: delay) { port in
            self.port.withLock { $0 = port }
            return try await body(port)
        }
    }

    private func answer(_ request: RecordedRequest) -> (status: Int, body: String, headers: [String: String]) {
        let query = Dictionary(request.query.split(separator: "&").map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }, uniquingKeysWith: { first, _ in first })
        let segments = request.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        if let answer = identity.answer(request, port: port.withLock { $0 }) { return answer }
        if segments.first == "v1", identity.user(authorization: request.headers["authorization"]) == nil {
            var answer = problem(401, "unauthenticated", "Sign-in required", "the request carries no valid Firebase ID token", request)
            answer.headers["WWW-Authenticate"] = #"Bearer realm="pixelpipe""#
            return answer
        }
        switch (request.method, segments.count) {
        case ("POST", 2) where segments == ["v1", "jobs"]:
            let parts = FormPart.parse(request.body, contentType: request.headers["content-type"])
            guard let csv = parts.first(where: { $0.name == "csv" }) else {
                return problem(400, "invalid", "Invalid request", "the form has no csv part", request)
            }
            return submit(name: csv.fileName ?? "upload.csv", body: csv.content, request: request)
        case ("GET", 2) where segments == ["v1", "jobs"]:
            let all = jobs.withLock { $0.values.map(\.resource) }.sorted { $0.createdAt > $1.createdAt }
            return json(JobPage(jobs: all, nextPageToken: nil))
        case ("POST", 2) where segments == ["v1", "images"]:
            return submit(name: "good-image.jpg", body: Data("S. No.\n1\n".utf8), request: request)
        case ("POST", 3) where segments[0...1] == ["v1", "jobs"] && (segments[2].hasSuffix(":cancel") || segments[2].hasSuffix(":retry")):
            let id = String(segments[2].prefix { $0 != ":" })
            guard let job = jobs.withLock({ $0[id]?.resource }) else { return notFound(id, request) }
            return json(job)
        case ("GET", 3) where segments[0...1] == ["v1", "jobs"]:
            guard let job = advance(segments[2]) else { return notFound(segments[2], request) }
            return json(job)
        case ("GET", 4) where segments[0...1] == ["v1", "jobs"] && segments[3] == "items":
            guard let items = jobs.withLock({ $0[segments[2]]?.items }) else { return notFound(segments[2], request) }
            let status = query["status"].flatMap(ItemResource.Status.init(rawValue:))
            let matching = items.filter { status == nil || $0.status == status }
            let start = Int(query["pageToken"] ?? "0") ?? 0
            let size = Int(query["pageSize"] ?? "100") ?? 100
            let page = Array(matching.dropFirst(start).prefix(size))
            return json(ItemPage(items: page, nextPageToken: start + size < matching.count ? String(start + size) : nil))
        case ("GET", _) where segments.first == "files":
            downloads.withLock { $0.now -= 1 }
            return (200, "image bytes of \(segments.last ?? "")", ["Content-Type": "image/webp"])
        default:
            return problem(404, "not-found", "Not found", "\(request.method) \(request.path) is not a route of this server", request)
        }
    }

    private func submit(name: String, body: Data, request: RecordedRequest) -> (status: Int, body: String, headers: [String: String]) {
        if name.hasPrefix("badrow") {
            var refusal = Problem(kind: "invalid-csv", title: "The CSV cannot be used", status: 400,
                                  detail: "row 3: the image URL cell is empty", instance: "/v1/jobs", row: 3)
            refusal.header = "Input Image Urls"
            return (400, String(decoding: try! APIJSON.encoder.encode(refusal), as: UTF8.self), ["Content-Type": Problem.contentType])
        }
        let rows = String(decoding: body, as: UTF8.self).split(whereSeparator: \.isNewline).count - 1
        let id = String(format: "%016x", jobs.withLock { $0.count } + 0xabc0)
        let resource = JobResource(
            id: id, status: .queued, source: .init(uri: "gs://pixelpipe-uploads/api/\(id)/\(name)#1", name: name),
            counts: .init(total: 0, succeeded: 0, failed: 0, remaining: 0, missing: 0, cancelled: 0), progress: 0,
            recipe: .object([:]), createdAt: Timestamp.format(Date(timeIntervalSince1970: 1_795_000_000 + Double(jobs.withLock { $0.count })))
        )
        jobs.withLock { $0[id] = Job(resource: resource, script: name) }
        itemsPlanned.withLock { $0[id] = max(rows, 1) }
        return (202, String(decoding: try! APIJSON.encoder.encode(resource), as: UTF8.self), ["Content-Type": "application/json", "Location": "/v1/jobs/\(id)"])
    }

    /// The job after one more step of its script.
    private func advance(_ id: String) -> JobResource? {
        let total = itemsPlanned.withLock { $0[id] } ?? 1
        let port = port.withLock { $0 }
        return jobs.withLock { all -> JobResource? in
            guard var job = all[id] else { return nil }
            defer { all[id] = job }
            var resource = job.resource
            guard !resource.status.isFinal else { return resource }
            if resource.status == .queued {
                resource.status = .running
                resource.startedAt = resource.createdAt
                resource.counts.total = total
                resource.counts.remaining = total
            } else {
                let next = job.items.count + 1
                let item = ItemResource(
                    id: "\(next)-1", row: next, index: 1, url: "http://images.test/\(next).jpg", product: "Product \(next)", status: .succeeded,
                    attempt: 1, recordedAt: resource.createdAt,
                    outputs: ["thumb", "large"].map { size in
                        .init(size: size, format: "webp", width: 200, height: 150, url: "http://127.0.0.1:\(port)/files/\(id)/\(next)-1-\(size).webp", bytes: 1234, contentType: "image/webp")
                    }
                )
                job.items.append(item)
                resource.counts.succeeded = job.items.filter { $0.status == .succeeded }.count
                resource.counts.failed = job.items.count - resource.counts.succeeded
                resource.counts.remaining = total - job.items.count
                resource.progress = Double(job.items.count) / Double(total)
                resource.ratePerSecond = 2.5
                resource.etaSeconds = resource.counts.remaining * 2 / 5
                if job.script.hasPrefix("rejected"), job.items.count == 2 {
                    resource.status = .rejected
                    resource.error = "the CSV was replaced while it was read"
                    resource.finishedAt = resource.createdAt
                } else if resource.counts.remaining == 0 {
                    resource.status = resource.counts.failed == 0 ? .finished : .finishedWithErrors
                    resource.ratePerSecond = nil
                    resource.etaSeconds = nil
                    resource.finishedAt = Timestamp.format((Timestamp.parse(resource.createdAt) ?? Date()) + 12)
                }
            }
            job.resource = resource
            return resource
        }
    }

    private func notFound(_ id: String, _ request: RecordedRequest) -> (status: Int, body: String, headers: [String: String]) {
        problem(404, "job-not-found", "No such job", "there is no job \(id)", request)
    }

    private func problem(_ status: Int, _ kind: String, _ title: String, _ detail: String, _ request: RecordedRequest) -> (status: Int, body: String, headers: [String: String]) {
        let problem = Problem(kind: kind, title: title, status: status, detail: detail, instance: request.path)
        return (status, String(decoding: try! APIJSON.encoder.encode(problem), as: UTF8.self), ["Content-Type": Problem.contentType])
    }

    private func json(_ value: some Encodable) -> (status: Int, body: String, headers: [String: String]) {
        (200, String(decoding: try! APIJSON.encoder.encode(value), as: UTF8.self), ["Content-Type": "application/json"])
    }
}
