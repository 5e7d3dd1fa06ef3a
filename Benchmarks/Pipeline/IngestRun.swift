import BenchmarkSupport
import Foundation
import GoogleCloud
import PipelineModel

/// Ingest of a large CSV: the release `ingest` binary against the release emulator, timed from
/// the finalize event to its answer (sent after the last shard is published), with the
/// binary's peak resident memory.
enum IngestRun {
    static func run(rows: Int, runs: Int) async throws {
        let emulator = ChildEmulator()
        try emulator.start()
        defer { emulator.stop() }
        let bench = try BenchmarkEnvironment(emulatorURL: emulator.url)
        let clients = bench.clients
        for bucket in [bench.configuration.uploadsBucket, bench.configuration.processedBucket] {
            try await clients.storage.createBucket(bucket, project: BenchmarkEnvironment.project)
        }
        try await clients.pubSub.createTopic(bench.configuration.shardsTopic)
        _ = try await clients.tasks.createQueue(bench.configuration.controlQueue)

        let csv = makeCSV(rows: rows)
        report("CSV: \(rows) rows, \(csv.count) bytes (\(String(format: "%.1f", Double(csv.count) / 1_048_576)) MiB), 2 URLs per row")
        report("| Run | Rows | Shards | Items | Event → last shard published (s) | Rows/s | Ingest peak RSS (MiB) |")
        report("|---:|---:|---:|---:|---:|---:|---:|")
        for run in 1...runs {
            // A new object name per run: a new job, not a repeat of the previous one.
            let object = try await clients.storage.upload(csv, bucket: bench.configuration.uploadsBucket, name: "bench-\(run).csv", options: .init(contentType: "text/csv"))
            let ingest = try StageProcess("ingest", environment: BenchmarkEnvironment.stageEnvironment(emulatorURL: emulator.url).merging([
                "PIXELPIPE_TEARDOWN_URL": "http://127.0.0.1:9/", "PIXELPIPE_PROCESS_URL": "http://127.0.0.1:9/",
            ]) { _, new in new })
            defer { ingest.stop() }
            let event = try JSONEncoder().encode(object)
            let started = ContinuousClock.now
            let response = try await HTTPClient.shared.execute(.init(
                method: "POST", url: "http://127.0.0.1:\(ingest.port)/",
                headers: [
                    ("ce-id", "bench-\(run)"), ("ce-specversion", "1.0"), ("ce-type", "google.cloud.storage.object.v1.finalized"),
                    ("ce-source", "//storage.googleapis.com/projects/_/buckets/\(object.bucket)"), ("ce-subject", "objects/\(object.name)"),
                    ("Content-Type", "application/json"),
                ],
                body: event, timeout: .seconds(600)
            ))
            let elapsed = ContinuousClock.now - started
            let peak = peakResidentBytes(pid: ingest.process.processIdentifier) ?? 0
            guard response.status == 204 else { throw BenchmarkFailure("ingest answered \(response.status): \(String(decoding: response.body, as: UTF8.self))") }
            let job = PipelineNames.jobID(bucket: object.bucket, object: object.name, generation: object.generationNumber ?? 0)
            guard let record = try await JobStore(firestore: clients.firestore).record(job)?.record, record.published else {
                throw BenchmarkFailure("job \(job) was not published")
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            report("| \(run) | \(record.rows) | \(record.shards) | \(record.total) | \(String(format: "%.2f", seconds)) | \(Int(Double(record.rows) / seconds)) | \(String(format: "%.1f", Double(peak) / 1_048_576)) |")
        }
    }

    /// `rows` product rows with two image URLs each, in the users' format.
    static func makeCSV(rows: Int) -> Data {
        var text = "S. No.,Product Name,Input Image Urls\n"
        text.reserveCapacity(rows * 130)
        for row in 1...rows {
            text += "\(row),Product \(row) Blue Cotton Shirt,\"https://images.example.com/catalog/\(row)/front.jpg,https://images.example.com/catalog/\(row)/back.jpg\"\n"
        }
        return Data(text.utf8)
    }
}
