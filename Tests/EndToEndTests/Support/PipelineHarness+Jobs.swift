import Crypto
import Foundation
import GoogleCloud
import PipelineModel
import Synchronization
import TestSupport

/// A CSV uploaded to the uploads bucket and the job it must become.
struct UploadedCSV: Sendable {
    let object: StorageObject
    /// `PipelineNames.jobID` of the object's bucket, name and generation.
    let job: JobID
    /// The webhook URL named in the object's metadata.
    let webhookURL: String
}

extension PipelineHarness {
    // MARK: Uploading

    /// Uploads `csv` as `name` to the uploads bucket with `webhook-url` metadata pointing at
    /// this test's receiver path (and `metadata` added), and computes its job id.
    func upload(_ csv: Data, name: String, metadata: [String: String] = [:]) async throws -> UploadedCSV {
        let webhookURL = "\(webhookBaseURL)/hooks/\(name)"
        var fields = ["webhook-url": webhookURL]
        fields.merge(metadata) { _, new in new }
        let object = try await clients.storage.upload(csv, bucket: configuration.uploadsBucket, name: name, options: .init(contentType: "text/csv", metadata: fields))
        guard let generation = object.generationNumber else { throw TestFailure("upload of \(name) returned no generation") }
        return UploadedCSV(object: object, job: PipelineNames.jobID(bucket: object.bucket, object: object.name, generation: generation), webhookURL: webhookURL)
    }

    /// Uploads CSV text.
    func upload(csv: String, name: String, metadata: [String: String] = [:]) async throws -> UploadedCSV {
        try await upload(Data(csv.utf8), name: name, metadata: metadata)
    }

    // MARK: Jobs and items

    /// The job (its document and the counts over its counter shards), or nil while it does not exist.
    func job(_ id: JobID) async throws -> JobState? {
        try await JobStore(firestore: clients.firestore).state(id)
    }

    /// Polls the job document until its status is final; fails after `limit` with the job as
    /// last seen and the end of the emulator's log.
    func awaitFinal(_ id: JobID, within limit: Duration = .seconds(90)) async throws -> JobState {
        let last = LastSeen()
        return try await eventually("job \(id) to reach a final status", within: limit, context: {
            "last seen: \(last.value ?? "no job document")\n--- emulator log (end) ---\n\(emulator.recentLog())"
        }) { () -> JobState? in
            guard let record = try await job(id) else { return nil }
            last.value = "status \(record.status.rawValue), total \(record.total), succeeded \(record.succeeded), failed \(record.failed), remaining \(record.remaining)"
            return record.status.isFinal ? record : nil
        }
    }

    /// Every item document of the job, by `ROW-INDEX`.
    func items(_ id: JobID) async throws -> [String: ItemRecord] {
        var items: [String: ItemRecord] = [:]
        for item in try await JobStore(firestore: clients.firestore).allItems(id) {
            items[item.id] = item
        }
        return items
    }

    // MARK: Outputs

    /// The job's output images in the processed bucket (everything under `JOB/` except the
    /// output CSV, results.ndjson and error reports), by object name.
    func outputs(_ id: JobID) async throws -> [String: StorageObject] {
        let objects = try await clients.storage.listAll(bucket: configuration.processedBucket, prefix: "\(id)/")
        return Dictionary(uniqueKeysWithValues: objects.filter { $0.name != PipelineNames.outputCSV(job: id) && !$0.name.hasSuffix(".csv") && !$0.name.hasSuffix(".json") && !$0.name.hasSuffix(".ndjson") && !$0.name.hasSuffix(".txt") }.map { ($0.name, $0) })
    }

    /// The bytes of object `name` in the processed bucket.
    func processedObject(_ name: String) async throws -> Data {
        try await clients.storage.download(bucket: configuration.processedBucket, name: name)
    }

    /// The job's output CSV, parsed.
    func outputCSV(_ id: JobID) async throws -> ParsedCSV {
        try ParsedCSV(try await processedObject(PipelineNames.outputCSV(job: id)))
    }

    /// Whether the job's queue `images-JOB` still exists.
    func jobQueueExists(_ id: JobID) async throws -> Bool {
        do {
            _ = try await clients.tasks.queue(PipelineNames.imageQueue(job: id))
            return true
        } catch let error as GoogleAPIError where error.isNotFound {
            return false
        }
    }

    // MARK: Webhooks

    /// The webhook calls received for `upload` (at the path its metadata names).
    func webhookCalls(for upload: UploadedCSV) -> [RecordedRequest] {
        let path = URL(string: upload.webhookURL)?.path ?? ""
        return webhooks.requests.filter { $0.path == path }
    }

    /// Waits for the first webhook call for `upload`.
    func awaitWebhook(for upload: UploadedCSV, within limit: Duration = .seconds(30)) async throws -> RecordedRequest {
        try await eventually("the webhook for job \(upload.job)", within: limit) { webhookCalls(for: upload).first }
    }

    // MARK: Direct deliveries

    /// POSTs the object's finalize CloudEvent to the ingest service again, exactly as the
    /// emulator's trigger delivers it (same `ce-id`, same object resource): a redelivery.
    func redeliverFinalize(of upload: UploadedCSV) async throws -> HTTPClient.Response {
        let object = try await clients.storage.metadata(bucket: upload.object.bucket, name: upload.object.name)
        let type = "google.cloud.storage.object.v1.finalized"
        let digest = SHA256.hash(data: Data("\(object.bucket)/\(object.name)#\(object.generation ?? "")|\(type)".utf8))
        let id = digest.prefix(8).map { String(format: "%02x", $0) }.joined()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try await HTTPClient().execute(.init(
            method: "POST",
            url: emulator.serviceURLs["ingest"]! + "/",
            headers: [
                ("ce-id", id), ("ce-specversion", "1.0"), ("ce-type", type),
                ("ce-source", "//storage.googleapis.com/projects/_/buckets/\(object.bucket)"),
                ("ce-subject", "objects/\(object.name)"), ("ce-time", object.updated ?? ""), ("ce-bucket", object.bucket),
                ("Content-Type", "application/json; charset=utf-8"),
            ],
            body: try encoder.encode(object),
            timeout: .seconds(60)
        ))
    }

    /// POSTs an image task straight to the process service, as Cloud Tasks dispatches it.
    func runImageTask(_ task: ImageTask, retryCount: Int = 0) async throws -> HTTPClient.Response {
        try await HTTPClient().execute(.init(
            method: "POST",
            url: emulator.serviceURLs["process"]! + "/",
            headers: [
                ("Content-Type", "application/json"),
                ("X-CloudTasks-QueueName", PipelineNames.imageQueue(job: task.job)),
                ("X-CloudTasks-TaskName", PipelineNames.imageTask(job: task.job, row: task.row, index: task.index)),
                ("X-CloudTasks-TaskRetryCount", String(retryCount)),
                ("X-CloudTasks-TaskExecutionCount", String(retryCount)),
                ("X-CloudTasks-TaskETA", String(Date().timeIntervalSince1970)),
            ],
            body: try JSONEncoder().encode(task),
            timeout: .seconds(60)
        ))
    }
}

/// A value a polling closure updates for the failure message.
final class LastSeen: Sendable {
    private let stored = Mutex<String?>(nil)
    var value: String? {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
