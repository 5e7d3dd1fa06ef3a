import BenchmarkSupport
import Foundation
import GoogleCloud
import PipelineModel
import PixelPipeCore

/// Lays out a finished job of `items` images (one per CSV row) in the emulator and times the
/// teardown binary's `POST /jobs/{id}/finalize`, with its peak resident memory.
enum TeardownRun {
    static let project = "pixelpipe-local"

    static func run(items: Int, concurrency: Int) async throws {
        let emulator = ChildEmulator()
        try emulator.start()
        defer { emulator.stop() }
        let (stageEnvironment, configuration, clients) = try environment(emulatorURL: emulator.url)
        let job = try await seed(items: items, concurrency: concurrency, configuration: configuration, clients: clients)
        try await finalize(job: job, stageEnvironment: stageEnvironment, configuration: configuration, clients: clients)
    }

    /// Finalizes the job already seeded in the data directory `directory` (left by an earlier
    /// run that was stopped after seeding): the emulator is started on it, the job found, and a
    /// finalizer lease the stopped run left behind removed.
    static func rerun(dataDirectory directory: String) async throws {
        let emulator = try EmulatorOnDirectory(directory)
        defer { emulator.stop() }
        let (stageEnvironment, configuration, clients) = try environment(emulatorURL: emulator.url)
        guard let document = try await clients.firestore.list("jobs", pageSize: 1).documents.first else { throw BenchmarkFailure("no job in \(directory)") }
        let record = try document.decode(JobRecord.self)
        try? await JobStore(firestore: clients.firestore).deleteLease(record.id, ifUpdatedAt: nil)
        report("Reusing the job \(record.id) of \(record.total) items seeded in \(directory)")
        try await finalize(job: record.id, stageEnvironment: stageEnvironment, configuration: configuration, clients: clients)
    }

    static func environment(emulatorURL url: String) throws -> ([String: String], PipelineConfiguration, PipelineClients) {
        let hostPort = url.replacingOccurrences(of: "http://", with: "")
        let stageEnvironment = [
            "GOOGLE_CLOUD_PROJECT": project, "STORAGE_EMULATOR_HOST": url, "PUBSUB_EMULATOR_HOST": hostPort,
            "CLOUD_TASKS_EMULATOR_HOST": hostPort, "FIRESTORE_EMULATOR_HOST": hostPort,
        ]
        let environment = EnvironmentValues(stageEnvironment)
        let configuration = try PipelineConfiguration(environment: environment)
        return (stageEnvironment, configuration, PipelineClients(api: GoogleAPIClient(environment: environment), configuration: configuration))
    }

    /// Uploads the CSV and writes the job, its counter shards and its items; returns the job.
    static func seed(items: Int, concurrency: Int, configuration: PipelineConfiguration, clients: PipelineClients) async throws -> JobID {
        let jobs = JobStore(firestore: clients.firestore)
        for bucket in [configuration.uploadsBucket, configuration.processedBucket] {
            try await clients.storage.createBucket(bucket, project: project)
        }
        _ = try await clients.tasks.createQueue(configuration.controlQueue)

        // The input CSV: one product and one image URL per row.
        var csv = Data("S. No.,Product Name,Input Image Urls\r\n".utf8)
        for row in 1...items { csv.append(contentsOf: "\(row),Product \(row),https://images.example.com/catalogue/\(row)/photo.jpg\r\n".utf8) }
        let object = try await clients.storage.upload(csv, bucket: configuration.uploadsBucket, name: "bench-\(items).csv", options: .init(contentType: "text/csv"))
        let generation = object.generationNumber ?? 0
        let job = PipelineNames.jobID(bucket: object.bucket, object: object.name, generation: generation)
        report("Input CSV: \(items) rows, \(String(format: "%.1f", Double(csv.count) / 1_048_576)) MiB")
        csv = Data()

        // The job document and its counter shards, as ingest creates them…
        let shards = CounterShard.count(items: items, dispatchesPerSecond: configuration.imageQueue.maxDispatchesPerSecond)
        var record = JobRecord(
            id: job, source: .init(bucket: object.bucket, name: object.name, generation: String(generation)), total: items, rows: items,
            invalidRows: 0, shards: (items + 499) / 500, counterShards: shards, recipe: "{}", webhookURL: nil,
            createdAt: Date(), deadline: Date().addingTimeInterval(3600)
        )
        record.published = true
        guard try await jobs.create(record) else { throw BenchmarkFailure("job \(job) already exists") }

        // …the items as process records them (1 in 100 failed), and the shards' counts.
        let seeding = ContinuousClock.now
        let failedEvery = 100
        var counters = CounterShard.plan(total: items, shards: shards)
        for ordinal in 0..<items {
            let k = CounterShard.shard(ofImage: ordinal, shards: shards)
            counters[k].remaining -= 1
            if (ordinal + 1) % failedEvery == 0 { counters[k].failed += 1 } else { counters[k].succeeded += 1 }
        }
        let batch = 500
        let batches = (items + batch - 1) / batch
        let next = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    while true {
                        let number = next.next()
                        guard number < batches else { return }
                        let rows = (number * batch + 1)...min(items, (number + 1) * batch)
                        let writes = try rows.map { row in
                            FirestoreWrite(.update(path: PipelineNames.itemDocument(job: job, row: row, index: 1),
                                                   fields: try FirestoreCoding.fields(from: item(job: job, row: row, failed: row % failedEvery == 0, configuration: configuration)), mask: nil))
                        }
                        _ = try await clients.firestore.commit(writes)
                        if number % 200 == 199 { report("  seeded \((number + 1) * batch) items") }
                    }
                }
            }
            try await group.waitForAll()
        }
        for (k, counter) in counters.enumerated() { try await jobs.put(counter, job: job, shard: k) }
        report("Seeded \(items) item documents and \(shards) counter shards in \(String(format: "%.0f", seconds(ContinuousClock.now - seeding))) s")
        return job
    }

    /// The real teardown binary, finalizing by a direct call, timed and measured.
    static func finalize(job: JobID, stageEnvironment: [String: String], configuration: PipelineConfiguration, clients: PipelineClients) async throws {
        guard let items = try await JobStore(firestore: clients.firestore).record(job)?.record.total else { throw BenchmarkFailure("no job \(job)") }
        let failedEvery = 100
        let teardown = try StageProcess("teardown", environment: stageEnvironment.merging([
            "WEBHOOK_SECRET": "bench-secret", "PIXELPIPE_TEARDOWN_URL": "http://127.0.0.1:9/", "REQUEST_TIMEOUT": "3600",
        ]) { _, new in new })
        defer { teardown.stop() }
        let sampler = PeakSampler(pid: teardown.process.processIdentifier)
        let started = ContinuousClock.now
        let response = try await HTTPClient.shared.execute(.init(
            method: "POST", url: "http://127.0.0.1:\(teardown.port)/jobs/\(job)/finalize", timeout: .seconds(3600)
        ))
        let elapsed = seconds(ContinuousClock.now - started)
        let peak = peakResidentBytes(pid: teardown.process.processIdentifier) ?? 0
        sampler.stop()
        guard response.status == 200, let view = try? JSONDecoder().decode(JobView.self, from: response.body) else {
            throw BenchmarkFailure("finalize answered \(response.status): \(String(decoding: response.body.prefix(2000), as: UTF8.self))")
        }
        let output = try await clients.storage.metadata(bucket: configuration.processedBucket, name: PipelineNames.outputCSV(job: job))
        let expectedFailed = items / failedEvery
        guard view.status == .finishedWithErrors, view.succeeded == items - expectedFailed, view.failed == expectedFailed else {
            throw BenchmarkFailure("finalized as \(view.status.rawValue) with \(view.succeeded) succeeded, \(view.failed) failed")
        }
        report("| Items | Finalize (s) | Items/s | Teardown peak RSS (MiB) | Output CSV (MiB) | Near-duplicates |")
        report("|---:|---:|---:|---:|---:|---:|")
        report("| \(items) | \(String(format: "%.1f", elapsed)) | \(Int(Double(items) / elapsed)) | \(String(format: "%.1f", Double(peak) / 1_048_576)) | \(String(format: "%.1f", Double(output.byteCount ?? 0) / 1_048_576)) | \(view.nearDuplicates.count) |")
        report("RSS samples (MiB, every 2 s): " + sampler.samples.map { String(format: "%.0f", Double($0) / 1_048_576) }.joined(separator: " "))
    }

    /// Item `row`-1 as process records it: two outputs and the analysis, or a failure.
    static func item(job: JobID, row: Int, failed: Bool, configuration: PipelineConfiguration) -> ItemRecord {
        let url = "https://images.example.com/catalogue/\(row)/photo.jpg"
        let product = "Product \(row)"
        let recordedAt = "2026-11-26T01:00:00.000Z"
        if failed {
            return ItemRecord(row: row, index: 1, url: url, product: product, status: .failed,
                              error: "row \(row), image 1: \(url) answered 404", attempt: 1, recordedAt: recordedAt)
        }
        let outputs = ["webp", "jpeg"].map { format in
            let name = PipelineNames.outputObject(job: job, product: product, row: row, index: 1, size: "large", format: format == "jpeg" ? "jpg" : format)
            return ItemRecord.Output(size: "large", format: format, width: 1600, height: 1067, object: name,
                                     url: configuration.links.url(bucket: configuration.processedBucket, name: name), contentType: "image/\(format)", bytes: 81_234)
        }
        // A spread of hashes (a multiplicative hash of the row), so near-duplicates are rare.
        let hash = UInt64(truncatingIfNeeded: row) &* 0x9E37_79B9_7F4A_7C15
        return ItemRecord(row: row, index: 1, url: url, product: product, status: .succeeded, outputs: outputs,
                          analysis: ImageAnalysis(width: 4000, height: 2667, format: .jpeg, hasAlpha: false, dominantColor: "#d8d0c0", perceptualHash: PerceptualHash(hash)),
                          attempt: 1, recordedAt: recordedAt)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
