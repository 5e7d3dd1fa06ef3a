import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird
import Logging
import PipelineModel

/// The jobs API's routes (docs/api.md; `GET /openapi.json` describes each): submissions,
/// jobs and items read back, the output CSV streamed from the processed bucket.
struct ApiRoutes: Sendable {
    let configuration: ApiConfiguration
    let storage: StorageClient
    let catalog: JobCatalog
    let jobs: JobSubmitter
    let images: ImageSubmitter
    let control: JobControl

    init(configuration: ApiConfiguration, clients: PipelineClients) {
        self.configuration = configuration
        control = JobControl(clients: clients, configuration: configuration.pipeline)
        storage = clients.storage
        catalog = JobCatalog(jobs: JobStore(firestore: clients.firestore))
        jobs = JobSubmitter(configuration: configuration, storage: clients.storage, firestore: clients.firestore, catalog: catalog)
        images = ImageSubmitter(configuration: configuration, storage: clients.storage, jobs: jobs)
    }

    /// Adds the routes to `router`.
    func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        router.post("/v1/jobs") { request, _ in
            let headers = JobSubmitter.Headers(
                contentType: request.headers[.contentType], contentDisposition: request.headers[.contentDisposition],
                idempotencyKey: request.headers[Self.idempotencyKey]
            )
            return try Self.accepted(try await jobs.submit(headers, body: request.body))
        }
        router.post("/v1/images") { request, _ in
            let input = ImageSubmitter.Input(
                contentType: request.headers[.contentType],
                recipe: request.uri.queryParameters["recipe"].map(String.init),
                product: request.uri.queryParameters["product"].map(String.init)
            )
            return try Self.accepted(try await images.submit(input, body: request.body))
        }
        router.get("/v1/jobs") { request, _ in
            let query = request.uri.queryParameters
            let status = try Self.enumValue(JobResource.Status.self, query["status"], field: "status")
            let pageSize = try Self.pageSize(query["pageSize"], default: 50)
            let token = try query["pageToken"].map { text throws(Problem) in try PageToken(decoding: String(text), kind: "jobs", status: status?.rawValue) }
            return try Self.json(try await catalog.jobs(status: status, pageSize: pageSize, after: token))
        }
        router.get("/v1/jobs/{id}") { _, context in
            let id = try Self.jobID(context)
            guard let job = try await catalog.job(id) else { throw Problem.jobNotFound(id.rawValue) }
            return try Self.json(job)
        }
        router.get("/v1/jobs/{id}/items") { request, context in
            let id = try Self.jobID(context)
            let query = request.uri.queryParameters
            let status = try Self.enumValue(ItemResource.Status.self, query["status"], field: "status")
            let pageSize = try Self.pageSize(query["pageSize"], default: 100)
            let token = try query["pageToken"].map { text throws(Problem) in try PageToken(decoding: String(text), kind: "items", status: status?.rawValue) }
            guard try await catalog.job(id) != nil else { throw Problem.jobNotFound(id.rawValue) }
            return try Self.json(try await catalog.items(id, status: status, pageSize: pageSize, after: token))
        }
        router.post("/v1/jobs/{id}:cancel") { _, context in
            let id = try Self.jobID(context)
            do {
                _ = try await control.cancel(id, logger: context.logger)
            } catch let error as JobControlError {
                throw Self.problem(error, id: id)
            }
            guard let job = try await catalog.job(id) else { throw Problem.jobNotFound(id.rawValue) }
            return try Self.json(job)
        }
        router.post("/v1/jobs/{id}:retry") { _, context in
            let id = try Self.jobID(context)
            do {
                _ = try await control.retry(id, logger: context.logger)
            } catch let error as JobControlError {
                throw Self.problem(error, id: id)
            }
            guard let job = try await catalog.job(id) else { throw Problem.jobNotFound(id.rawValue) }
            return try Self.json(job, status: .accepted)
        }
        router.get("/v1/jobs/{id}/output.csv") { _, context in
            let id = try Self.jobID(context)
            guard let record = try await catalog.jobs.record(id)?.record else {
                if try await catalog.job(id) != nil { throw Problem.notFound("job \(id) has no output CSV yet") }
                throw Problem.jobNotFound(id.rawValue)
            }
            guard let name = record.outputCSV else { throw Problem.notFound("job \(id) has no output CSV yet") }
            return try await outputCSV(bucket: configuration.pipeline.processedBucket, name: name)
        }
    }

    /// The output CSV, streamed a ranged read at a time.
    private func outputCSV(bucket: String, name: String) async throws -> Response {
        let object: StorageObject
        do {
            object = try await storage.metadata(bucket: bucket, name: name)
        } catch let error as GoogleAPIError where error.isNotFound {
            throw Problem.notFound("the output CSV gs://\(bucket)/\(name) is gone")
        }
        guard let generation = object.generationNumber, let size = object.byteCount else { throw Problem.internalError() }
        let chunks = storage.chunks(bucket: bucket, name: name, generation: generation, size: Int(size))
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: Int(size)) { writer in
            for try await chunk in chunks { try await writer.write(ByteBuffer(bytes: chunk)) }
            try await writer.finish(nil)
        })
    }

    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!

    /// The problem a refused cancel or retry stands for: 404 for an unknown job, 409 for the
    /// job's state — including a job another finalization or retry holds right now, which is
    /// the job's state too, not the service failing — and 503 only when the retry lost its own
    /// hold on the job midway.
    static func problem(_ error: JobControlError, id: JobID) -> Problem {
        if case .unknownJob = error {
            // A job still queued (its CSV stored, not yet ingested) has no document to act on.
            return Problem.jobNotFound(id.rawValue)
        }
        if case .busy = error { return Problem.conflict(error.description) }
        if error.isConflict { return Problem.conflict(error.description) }
        return Problem.unavailable(error.description)
    }

    /// 202 with `Location` and the job.
    static func accepted(_ accepted: JobSubmitter.Accepted) throws -> Response {
        var response = try json(accepted.job, status: .accepted)
        response.headers[.location] = accepted.job.links.`self`
        if accepted.replayed { response.headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        return response
    }

    /// A JSON answer with sorted keys.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try APIJSON.encoder.encode(value))))
    }

    /// The job id of the path, or a 400 naming `id`.
    static func jobID(_ context: BasicRequestContext) throws(Problem) -> JobID {
        let text = context.parameters.get("id") ?? ""
        guard let id = JobID(text) else {
            throw Problem.invalid("id", "'\(text.prefix(40))' is not a job id (16 lower-case hex digits)")
        }
        return id
    }

    /// `pageSize`: 1…1000, `default` when absent.
    static func pageSize(_ text: Substring?, default value: Int) throws(Problem) -> Int {
        guard let text else { return value }
        guard let size = Int(text), (1...1000).contains(size) else {
            throw Problem.invalid("pageSize", "pageSize must be an integer from 1 to 1000 (got '\(text.prefix(20))')")
        }
        return size
    }

    /// A query parameter that names one of `Value`'s cases.
    static func enumValue<Value: RawRepresentable & CaseIterable>(_ type: Value.Type, _ text: Substring?, field: String) throws(Problem) -> Value?
    where Value.RawValue == String {
        guard let text else { return nil }
        guard let value = Value(rawValue: String(text)) else {
            throw Problem.invalid(field, "\(field) must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(text.prefix(40))')")
        }
        return value
    }
}
