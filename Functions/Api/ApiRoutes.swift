import Foundation
import FunctionsFramework
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
    let usage: UsageLedger
    let authenticator: CallerAuthenticator

    init(configuration: ApiConfiguration, clients: PipelineClients, api: GoogleAPIClient, tracing: TracingConfiguration = TracingConfiguration()) {
        self.configuration = configuration
        control = JobControl(clients: clients, configuration: configuration.pipeline, tracing: tracing)
        storage = clients.storage
        catalog = JobCatalog(jobs: JobStore(firestore: clients.firestore))
        usage = UsageLedger(firestore: clients.firestore, limits: configuration.auth.limits)
        jobs = JobSubmitter(configuration: configuration, storage: clients.storage, firestore: clients.firestore, catalog: catalog, usage: usage)
        images = ImageSubmitter(configuration: configuration, storage: clients.storage, jobs: jobs)
        authenticator = CallerAuthenticator(configuration: configuration.auth, api: api)
    }

    /// Adds the routes to `router`: a few public ones, and `/v1`, where every call needs a
    /// verified caller and a job is visible only to its owner (and admins).
    func register(on router: Router<ApiRequestContext>) {
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
        router.get("/config.json") { _, _ in try Self.json(ClientConfiguration(configuration.auth)) }
        let v1 = router.group("v1").add(middleware: AuthenticationMiddleware(authenticator: authenticator))
        v1.get("me") { _, context in
            let caller = try context.requireCaller()
            return try Self.json(CallerResource(caller, limits: configuration.auth.limits, usage: try await usage.usage(of: caller)))
        }
        v1.post("jobs") { request, context in
            let headers = JobSubmitter.Headers(
                contentType: request.headers[.contentType], contentDisposition: request.headers[.contentDisposition],
                idempotencyKey: request.headers[Self.idempotencyKey]
            )
            return try Self.accepted(try await jobs.submit(headers, caller: try context.requireCaller(), body: request.body))
        }
        v1.post("images") { request, context in
            let input = ImageSubmitter.Input(
                contentType: request.headers[.contentType],
                recipe: request.uri.queryParameters["recipe"].map(String.init),
                product: request.uri.queryParameters["product"].map(String.init)
            )
            return try Self.accepted(try await images.submit(input, caller: try context.requireCaller(), body: request.body))
        }
        v1.get("jobs") { request, context in
            let caller = try context.requireCaller()
            let query = request.uri.queryParameters
            let status = try Self.enumValue(JobResource.Status.self, query["status"], field: "status")
            let pageSize = try Self.pageSize(query["pageSize"], default: 50)
            let token = try query["pageToken"].map { text throws(Problem) in try PageToken(decoding: String(text), kind: "jobs", status: status?.rawValue) }
            return try Self.json(try await catalog.jobs(owner: caller.isAdmin ? nil : caller.uid, status: status, pageSize: pageSize, after: token))
        }
        v1.get("jobs/{id}") { _, context in
            try Self.json(try await job(try Self.jobID(context), for: try context.requireCaller()))
        }
        v1.get("jobs/{id}/items") { request, context in
            let id = try Self.jobID(context)
            let query = request.uri.queryParameters
            let status = try Self.enumValue(ItemResource.Status.self, query["status"], field: "status")
            let pageSize = try Self.pageSize(query["pageSize"], default: 100)
            let token = try query["pageToken"].map { text throws(Problem) in try PageToken(decoding: String(text), kind: "items", status: status?.rawValue) }
            _ = try await job(id, for: try context.requireCaller())
            return try Self.json(try await catalog.items(id, status: status, pageSize: pageSize, after: token))
        }
        v1.get("jobs/{id}/items/{item}/outputs/{file}") { _, context in
            let id = try Self.jobID(context)
            _ = try await job(id, for: try context.requireCaller())
            let itemID = context.parameters.get("item") ?? ""
            let file = context.parameters.get("file") ?? ""
            guard let item = try await catalog.item(id, itemID) else {
                throw Problem.notFound("job \(id) has no item '\(itemID.prefix(40))'")
            }
            guard let output = item.outputs.first(where: { "\($0.size).\($0.format)" == file }) else {
                throw Problem.notFound("item \(itemID) of job \(id) has no output '\(file.prefix(60))'; its outputs are \(item.outputs.map { "\($0.size).\($0.format)" }.joined(separator: ", "))")
            }
            return try await stream(bucket: configuration.pipeline.processedBucket, name: output.object, contentType: output.contentType,
                                    what: "output \(file)", cache: "private, max-age=3600")
        }
        v1.post("jobs/{id}:cancel") { _, context in
            let id = try Self.jobID(context)
            let caller = try context.requireCaller()
            _ = try await job(id, for: caller)
            do {
                _ = try await control.cancel(id, logger: context.logger)
            } catch let error as JobControlError {
                throw Self.problem(error, id: id)
            }
            return try Self.json(try await job(id, for: caller))
        }
        v1.post("jobs/{id}:retry") { _, context in
            let id = try Self.jobID(context)
            let caller = try context.requireCaller()
            _ = try await job(id, for: caller)
            do {
                _ = try await control.retry(id, logger: context.logger)
            } catch let error as JobControlError {
                throw Self.problem(error, id: id)
            }
            return try Self.json(try await job(id, for: caller), status: .accepted)
        }
        v1.get("jobs/{id}/output.csv") { _, context in
            let id = try Self.jobID(context)
            _ = try await job(id, for: try context.requireCaller())
            guard let name = try await catalog.jobs.record(id)?.record.outputCSV else { throw Problem.notFound("job \(id) has no output CSV yet") }
            return try await stream(bucket: configuration.pipeline.processedBucket, name: name, contentType: "text/csv; charset=utf-8", what: "output CSV")
        }
        v1.get("jobs/{id}/results.ndjson") { _, context in
            let id = try Self.jobID(context)
            _ = try await job(id, for: try context.requireCaller())
            guard let name = try await catalog.jobs.record(id)?.record.resultsNDJSON else { throw Problem.notFound("job \(id) has no results yet") }
            return try await stream(bucket: configuration.pipeline.processedBucket, name: name, contentType: "application/x-ndjson", what: "results")
        }
    }

    /// Job `id` when `caller` may see it; otherwise the same 404 as for a job that does not
    /// exist, so nobody learns which ids are someone else's.
    private func job(_ id: JobID, for caller: Caller) async throws -> JobResource {
        guard let job = try await catalog.job(id), caller.mayAccess(owner: job.owner) else { throw Problem.jobNotFound(id.rawValue) }
        return job
    }

    /// An object of `bucket`, streamed a ranged read at a time.
    private func stream(bucket: String, name: String, contentType: String, what: String, cache: String? = nil) async throws -> Response {
        let object: StorageObject
        do {
            object = try await storage.metadata(bucket: bucket, name: name)
        } catch let error as GoogleAPIError where error.isNotFound {
            throw Problem.notFound("the \(what) gs://\(bucket)/\(name) is gone")
        }
        guard let generation = object.generationNumber, let size = object.byteCount else { throw Problem.internalError() }
        let chunks = storage.chunks(bucket: bucket, name: name, generation: generation, size: Int(size))
        var headers = HTTPFields()
        headers[.contentType] = contentType
        if let cache { headers[.cacheControl] = cache }
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
    static func jobID(_ context: ApiRequestContext) throws(Problem) -> JobID {
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
