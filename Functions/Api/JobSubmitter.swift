import Foundation
import GoogleCloud
import Logging
import NIOCore
import PipelineModel

/// `POST /v1/jobs`: streams a CSV (a `text/csv` body, or the `csv` part of a
/// `multipart/form-data` body after its optional `recipe` and `webhookUrl` parts) into the
/// uploads bucket with the metadata a folder drop carries, so the storage trigger runs ingest
/// on it, and answers with the job (`queued` until ingest has made it). The options are
/// validated before a byte is stored, the CSV while it streams; a refused CSV's upload is
/// cancelled. With an `Idempotency-Key`, the object name is derived from the key and created
/// only if absent (`ifGenerationMatch=0`): a retry finds it and answers the same job, while
/// the same key with another CSV, recipe, webhook or file name is a 422. The object carries
/// the caller's uid (`owner` metadata), which ingest records on the job; the caller's limits are
/// checked before anything is stored (active jobs) and before the upload completes (images).
struct JobSubmitter: Sendable {
    let configuration: ApiConfiguration
    let storage: StorageClient
    let firestore: FirestoreClient
    let catalog: JobCatalog
    let usage: UsageLedger

    /// The request's headers, as far as a submission needs them.
    struct Headers: Sendable {
        var contentType: String?
        var contentDisposition: String?
        var idempotencyKey: String?
    }

    /// The job, and whether the request repeated an earlier one (same `Idempotency-Key`).
    struct Accepted: Sendable {
        var job: JobResource
        var replayed: Bool
    }

    /// Submits the CSV in `body` for `caller`.
    func submit<Body: AsyncSequence>(_ headers: Headers, caller: Caller, body: Body) async throws -> Accepted where Body.Element == ByteBuffer {
        if let key = headers.idempotencyKey, key.isEmpty || key.count > 255 {
            throw Problem.invalid("Idempotency-Key", "Idempotency-Key must be 1 to 255 characters")
        }
        try await usage.checkActiveJobs(caller)
        let media = headers.contentType.map(Self.mediaType)
        switch media {
        case "text/csv", "application/csv":
            let fileName = headers.contentDisposition.flatMap { HeaderParameters.value(of: "filename", in: $0) }
            var pending = try await begin(options: JobOptions(), fileName: fileName, key: headers.idempotencyKey, caller: caller, field: "body")
            do {
                for try await buffer in body { try await pending.receiver.write(buffer) }
                return try await complete(&pending)
            } catch {
                await pending.receiver.cancel()
                throw error
            }
        case "multipart/form-data":
            return try await submitMultipart(boundary: try MultipartStream.boundary(of: headers.contentType ?? ""), key: headers.idempotencyKey, caller: caller, body: body)
        default:
            throw Problem.unsupportedMediaType(media, expected: "text/csv, or multipart/form-data with a csv part")
        }
    }

    /// A form: `recipe` and `webhookUrl` (small, held), then `csv` (streamed), nothing after.
    private func submitMultipart<Body: AsyncSequence>(boundary: String, key: String?, caller: Caller, body: Body) async throws -> Accepted where Body.Element == ByteBuffer {
        var options = JobOptions()
        var field: OptionField?
        var pending: Pending?
        var csvDone = false
        do {
            try await MultipartStream.parse(body, boundary: boundary) { event in
                switch event {
                case .start(let part):
                    if csvDone {
                        throw Problem.invalid(part.name.isEmpty ? "body" : part.name,
                                              "part '\(part.name)' comes after the csv part; send recipe and webhookUrl before csv")
                    }
                    switch part.name {
                    case "csv":
                        if let type = part.contentType.map(Self.mediaType), !["text/csv", "application/csv", "text/plain", "application/octet-stream"].contains(type) {
                            throw Problem.unsupportedMediaType(type, expected: "text/csv", field: "csv")
                        }
                        pending = try await begin(options: options, fileName: part.fileName, key: key, caller: caller, field: "csv")
                    case "recipe", "webhookUrl":
                        field = OptionField(name: part.name)
                    default:
                        throw Problem.invalid(part.name.isEmpty ? "body" : part.name,
                                              "unexpected part '\(part.name.prefix(60))'; the form takes recipe, webhookUrl and csv")
                    }
                case .body(let buffer):
                    if pending != nil, !csvDone {
                        try await pending!.receiver.write(buffer)
                    } else if field != nil {
                        try field!.append(buffer, limit: configuration.maxFieldBytes)
                    }
                case .end:
                    if let current = field {
                        current.apply(to: &options)
                        field = nil
                    } else if pending != nil {
                        csvDone = true
                    }
                }
            }
            guard pending != nil else {
                throw Problem.invalid("csv", "the form has no csv part")
            }
            return try await complete(&pending!)
        } catch {
            await pending?.receiver.cancel()
            throw error
        }
    }

    /// A submission under way.
    struct Pending {
        var receiver: CSVReceiver
        let name: UploadName
        /// The object an earlier request with the same key stored.
        let existing: StorageObject?
        let key: String?
        let caller: Caller
        let options: JobOptions
        let recipe: Recipe
    }

    /// Validates the options and starts the upload (or, for a key already used, only the fingerprint).
    func begin(options: JobOptions, fileName: String?, key: String?, caller: Caller, field: String) async throws -> Pending {
        let recipe = try options.validate(configuration)
        let name = UploadName(owner: caller.uid, idempotencyKey: key, fileName: fileName)
        let bucket = configuration.pipeline.uploadsBucket
        var existing: StorageObject?
        if key != nil {
            existing = try await storage.list(bucket: bucket, prefix: name.prefix, maxResults: 1).items?.first
        }
        var upload: StorageUploadStream?
        if existing == nil {
            var uploadOptions = StorageClient.UploadOptions(contentType: "text/csv", metadata: options.metadata(fileName: name.fileName, owner: caller.uid),
                                                            ifGenerationMatch: key == nil ? nil : 0)
            uploadOptions.chunkSize = configuration.uploadChunkBytes
            upload = try await storage.uploadStream(bucket: bucket, name: name.object, options: uploadOptions)
        }
        let receiver = CSVReceiver(field: field, limit: configuration.maxCSVBytes, csvLimits: configuration.pipeline.csvLimits, upload: upload)
        return Pending(receiver: receiver, name: name, existing: existing, key: key, caller: caller, options: options, recipe: recipe)
    }

    /// Ends the CSV and answers the job.
    func complete(_ pending: inout Pending) async throws -> Accepted {
        let stored: StorageObject?
        let md5: String
        do {
            let caller = pending.caller
            (stored, md5) = try await pending.receiver.finish { images in try await usage.reserve(images: images, for: caller) }
        } catch let error as GoogleAPIError where error.isPreconditionFailed {
            // A concurrent request with the same key stored its object first.
            let existing = try await storage.metadata(bucket: configuration.pipeline.uploadsBucket, name: pending.name.object)
            return try await replay(existing, md5: pending.receiver.digest ?? "", pending: pending)
        }
        if let existing = pending.existing {
            return try await replay(existing, md5: md5, pending: pending)
        }
        guard let object = stored, let generation = object.generation else {
            throw Problem.internalError()
        }
        let record = SubmissionRecord(
            bucket: object.bucket, name: object.name, generation: generation, fileName: pending.name.fileName,
            recipe: JobOptions.json(pending.recipe), webhookUrl: pending.options.webhookUrl ?? configuration.pipeline.webhookURL,
            createdAt: object.timeCreated ?? Timestamp.format(Date()), owner: pending.caller.uid
        )
        let id = JobID(bucket: object.bucket, object: object.name, generation: Int64(generation) ?? 0)
        _ = try await firestore.patch("\(SubmissionRecord.collection)/\(id)", fields: try FirestoreCoding.fields(from: record))
        // Ingest may already have made the job from the finalize event.
        return Accepted(job: try await catalog.job(id) ?? record.resource, replayed: false)
    }

    /// The answer to a request whose key was used before: the same job when the request is the
    /// same (bytes, recipe, webhook, file name), else a 422.
    private func replay(_ existing: StorageObject, md5: String, pending: Pending) async throws -> Accepted {
        let metadata = existing.metadata ?? [:]
        let same = existing.md5Hash == md5
            && metadata["recipe"] == pending.options.recipe
            && metadata["webhook-url"] == pending.options.webhookUrl
            && existing.name == pending.name.object
            && metadata["owner"] == pending.caller.uid
        guard same, let generation = existing.generationNumber else {
            throw Problem.idempotencyKeyReused(pending.key ?? "")
        }
        let id = JobID(bucket: existing.bucket, object: existing.name, generation: generation)
        if let job = try await catalog.job(id) { return Accepted(job: job, replayed: true) }
        let record = SubmissionRecord(
            bucket: existing.bucket, name: existing.name, generation: String(generation), fileName: pending.name.fileName,
            recipe: JobOptions.json(pending.recipe), webhookUrl: pending.options.webhookUrl ?? configuration.pipeline.webhookURL,
            createdAt: existing.timeCreated ?? Timestamp.format(Date()), owner: pending.caller.uid
        )
        return Accepted(job: record.resource, replayed: true)
    }

    /// A content type's media type, lower-cased, without parameters.
    static func mediaType(_ contentType: String) -> String {
        (contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    }
}
