import BenchmarkSupport
import Foundation
import GoogleCloud
import PipelineModel
import PixelPipeCore

// The jobs API (`api`), release binaries against the release emulator (APIs only, no stages):
//  1. `POST /v1/jobs` of a CSV of N rows (default 1,000,000) as text/csv: the time to the 202
//     (validated while streamed into the uploads bucket) and the api process's peak resident
//     memory (VmHWM), which must not grow with the CSV;
//  2. `GET /v1/jobs/{id}/items` paged through a job of M items (default 100,000) seeded in
//     Firestore, 1,000 an page: the time for all of them.
// Usage, after `swift build -c release` in the repository:
//   Benchmarks/.build/release/ApiBenchmark [--rows N] [--items M]

func option(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let parsed = Int(arguments[index + 1]) else { return value }
    return parsed
}

func report(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func statusField(_ name: String, pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return nil }
    return line.split(separator: " ").compactMap { Int($0) }.first.map { $0 * 1024 }
}

func mebibytes(_ bytes: Int?) -> String { String(format: "%.1f", Double(bytes ?? 0) / 1_048_576) }

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

let rows = option("--rows", default: 1_000_000)
let itemCount = option("--items", default: 100_000)
let project = "pixelpipe-bench"
let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
report("Machine: \(Machine.cores) cores, \(Machine.cpuModel); load \(load); \(Machine.date)")

let emulator = ChildEmulator()
var api: StageProcess?
do {
    try emulator.start()
    let hostPort = emulator.url.replacingOccurrences(of: "http://", with: "")
    let environment = [
        "GOOGLE_CLOUD_PROJECT": project, "STORAGE_EMULATOR_HOST": emulator.url, "PUBSUB_EMULATOR_HOST": hostPort,
        "CLOUD_TASKS_EMULATOR_HOST": hostPort, "FIRESTORE_EMULATOR_HOST": hostPort, "FIREBASE_AUTH_EMULATOR_HOST": hostPort,
        "CSV_MAX_FILE_BYTES": String(1 << 30), "API_MAX_IMAGES_PER_DAY": String(1 << 29),
    ]
    let configuration = try PipelineConfiguration(environment: EnvironmentValues(environment))
    let clients = PipelineClients(api: GoogleAPIClient(environment: EnvironmentValues(environment)), configuration: configuration)
    for bucket in [configuration.uploadsBucket, configuration.processedBucket] {
        try await clients.storage.createBucket(bucket, project: project)
    }
    let server = try StageProcess("api", environment: environment)
    api = server
    let base = "http://127.0.0.1:\(server.port)"
    let pid = server.process.processIdentifier
    let http = HTTPClient()
    report("api serving; resident \(mebibytes(statusField("VmRSS:", pid: pid))) MiB")
    // A user of the emulator's identity service: every /v1 call carries their ID token.
    let signUp = try await http.execute(.init(
        method: "POST", url: emulator.url + "/identitytoolkit.googleapis.com/v1/accounts:signUp?key=bench",
        headers: [("Content-Type", "application/json")],
        body: Data(#"{"email":"bench@example.com","password":"benchmark password","returnSecureToken":true}"#.utf8), timeout: .seconds(30)))
    guard signUp.status == 200, let account = try JSONSerialization.jsonObject(with: signUp.body) as? [String: Any],
          let idToken = account["idToken"] as? String, let uid = account["localId"] as? String else {
        throw BenchmarkFailure("sign-up answered \(signUp.status)")
    }
    let bearer = (name: "Authorization", value: "Bearer \(idToken)")

    // 1. A large CSV posted.
    var csv = Data("S. No.,Product Name,Input Image Urls\r\n".utf8)
    for row in 1...rows { csv.append(contentsOf: "\(row),Product \(row),https://images.example.com/catalogue/\(row)/photo.jpg\r\n".utf8) }
    let size = csv.count
    let started = ContinuousClock.now
    let response = try await http.execute(.init(method: "POST", url: base + "/v1/jobs", headers: [("Content-Type", "text/csv"), ("Content-Disposition", "attachment; filename=\"bench.csv\""), bearer], body: csv, timeout: .seconds(600)))
    let elapsed = seconds(ContinuousClock.now - started)
    csv = Data()
    guard response.status == 202 else { throw BenchmarkFailure("POST /v1/jobs answered \(response.status): \(String(decoding: response.body.prefix(500), as: UTF8.self))") }
    let peak = statusField("VmHWM:", pid: pid)
    report("")
    report("| CSV rows | CSV (MiB) | POST /v1/jobs to 202 (s) | MiB/s | api peak RSS (MiB) |")
    report("|---:|---:|---:|---:|---:|")
    report("| \(rows) | \(mebibytes(size)) | \(String(format: "%.1f", elapsed)) | \(String(format: "%.0f", Double(size) / 1_048_576 / elapsed)) | \(mebibytes(peak)) |")

    // 2. Items paged.
    let jobs = JobStore(firestore: clients.firestore)
    let job = JobID(bucket: configuration.uploadsBucket, object: "bench-items.csv", generation: 1)
    var record = JobRecord(
        id: job, source: .init(bucket: configuration.uploadsBucket, name: "bench-items.csv", generation: "1"), total: itemCount, rows: itemCount,
        invalidRows: 0, shards: 1, counterShards: 0, recipe: "{}", webhookURL: nil, createdAt: Date(), deadline: Date().addingTimeInterval(3600)
    )
    record.status = .finished
    record.owner = uid
    record.finalCounts = .init(succeeded: itemCount, failed: 0, missing: 0)
    try await jobs.create(record, counters: [])
    let seeding = ContinuousClock.now
    let recordedAt = Timestamp.format(Date())
    for batch in stride(from: 1, through: itemCount, by: 500) {
        let writes = try (batch...min(itemCount, batch + 499)).map { row in
            let item = ItemRecord(row: row, index: 1, url: "https://images.example.com/catalogue/\(row)/photo.jpg", product: "Product \(row)", status: .succeeded,
                                  outputs: [.init(size: "thumb", format: "webp", width: 200, height: 150, object: "\(job)/p/\(row)-1-thumb.webp",
                                                  url: "https://storage.googleapis.com/b/\(job)/p/\(row)-1-thumb.webp", contentType: "image/webp", bytes: 4096)],
                                  attempt: 1, recordedAt: recordedAt)
            return FirestoreWrite(.update(path: PipelineNames.itemDocument(job: job, row: row, index: 1), fields: try FirestoreCoding.fields(from: item), mask: nil))
        }
        _ = try await clients.firestore.commit(writes)
    }
    report("")
    report("Seeded \(itemCount) items in \(String(format: "%.0f", seconds(ContinuousClock.now - seeding))) s")
    let paging = ContinuousClock.now
    var token: String?
    var seen = 0
    var pages = 0
    var slowest = 0.0
    repeat {
        let pageStart = ContinuousClock.now
        let query = token.map { "&pageToken=\($0)" } ?? ""
        let answer = try await http.execute(.init(url: base + "/v1/jobs/\(job)/items?pageSize=1000\(query)", headers: [bearer], timeout: .seconds(120)))
        guard answer.status == 200 else { throw BenchmarkFailure("items page answered \(answer.status): \(String(decoding: answer.body.prefix(500), as: UTF8.self))") }
        let page = try APIJSON.decoder.decode(ItemPage.self, from: answer.body)
        seen += page.items.count
        pages += 1
        token = page.nextPageToken
        slowest = max(slowest, seconds(ContinuousClock.now - pageStart))
    } while token != nil
    let total = seconds(ContinuousClock.now - paging)
    guard seen == itemCount else { throw BenchmarkFailure("paged \(seen) items of \(itemCount)") }
    report("| Items | Pages of 1,000 | All pages (s) | Mean page (ms) | Slowest page (ms) | api peak RSS (MiB) |")
    report("|---:|---:|---:|---:|---:|---:|")
    report("| \(itemCount) | \(pages) | \(String(format: "%.1f", total)) | \(String(format: "%.0f", total / Double(pages) * 1000)) | \(String(format: "%.0f", slowest * 1000)) | \(mebibytes(statusField("VmHWM:", pid: pid))) |")
} catch {
    FileHandle.standardError.write(Data("benchmark failed: \(error)\n".utf8))
    api?.stop()
    emulator.stop()
    exit(1)
}
api?.stop()
emulator.stop()
