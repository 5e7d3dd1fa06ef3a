import Foundation
import GoogleCloud
import PipelineModel
import TestSupport

/// The api service of a running pipeline, spoken to over HTTP as a signed-in user would:
/// requests with the user's ID token, answers decoded with the resource types, problems as
/// `Problem`.
struct JobsAPI: Sendable {
    /// The api service's base URL, as the emulator reported it.
    let baseURL: String
    /// The emulator's base URL (its identity service signs the users in).
    let emulatorURL: String
    /// The user whose token every request carries (nil: none is sent).
    let user: IdentityUser?
    let http = HTTPClient()

    /// The api of `pipeline` as a newly signed-up user (`email`, else a fresh address).
    static func signedIn(_ pipeline: PipelineHarness, email: String? = nil) async throws -> JobsAPI {
        let anonymous = try JobsAPI(pipeline, user: nil)
        let user = try await IdentityUser.signUp(emulator: anonymous.emulatorURL, email: email ?? "user-\(UUID().uuidString.prefix(8).lowercased())@example.com")
        return try JobsAPI(pipeline, user: user)
    }

    init(_ pipeline: PipelineHarness, user: IdentityUser?) throws {
        guard let url = pipeline.emulator.serviceURLs["api"] else {
            throw TestFailure("the pipeline has no api service: \(pipeline.emulator.serviceURLs)")
        }
        baseURL = url
        emulatorURL = pipeline.emulator.baseURL
        self.user = user
    }

    /// The same api as `user`.
    func `as`(_ user: IdentityUser?) -> JobsAPI {
        JobsAPI(baseURL: baseURL, emulatorURL: emulatorURL, user: user)
    }

    private init(baseURL: String, emulatorURL: String, user: IdentityUser?) {
        self.baseURL = baseURL
        self.emulatorURL = emulatorURL
        self.user = user
    }

    /// Sends a request to `path`, with the user's token unless `headers` has an Authorization.
    func send(_ method: String = "GET", _ path: String, headers: [(name: String, value: String)] = [], body: Data? = nil) async throws -> HTTPClient.Response {
        var headers = headers
        if let user, !headers.contains(where: { $0.name.lowercased() == "authorization" }) { headers.append(user.bearer) }
        return try await http.execute(.init(method: method, url: baseURL + path, headers: headers, body: body, timeout: .seconds(60)))
    }

    /// `POST /v1/jobs` of `csv` as `text/csv`.
    func submit(csv: String, fileName: String? = nil, key: String? = nil) async throws -> HTTPClient.Response {
        var headers = [(name: "Content-Type", value: "text/csv")]
        if let fileName { headers.append((name: "Content-Disposition", value: "attachment; filename=\"\(fileName)\"")) }
        if let key { headers.append((name: "Idempotency-Key", value: key)) }
        return try await send("POST", "/v1/jobs", headers: headers, body: Data(csv.utf8))
    }

    /// A `multipart/form-data` body of `parts` (name, file name, content type, bytes), in order.
    static func form(_ parts: [(name: String, fileName: String?, contentType: String?, body: Data)]) -> (contentType: String, body: Data) {
        let boundary = "pixelpipe-test-\(UUID().uuidString)"
        var body = Data()
        for part in parts {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\"".utf8))
            if let fileName = part.fileName { body.append(Data("; filename=\"\(fileName)\"".utf8)) }
            body.append(Data("\r\n".utf8))
            if let type = part.contentType { body.append(Data("Content-Type: \(type)\r\n".utf8)) }
            body.append(Data("\r\n".utf8))
            body.append(part.body)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    /// Decodes an answer's body as `type`, failing with the answer when it is not one.
    static func decode<Value: Decodable>(_ type: Value.Type, _ response: HTTPClient.Response) throws -> Value {
        do {
            return try APIJSON.decoder.decode(type, from: response.body)
        } catch {
            throw TestFailure("status \(response.status), body \(String(decoding: response.body.prefix(2000), as: UTF8.self)) is not a \(type): \(error)")
        }
    }

    /// The problem of an error answer, checked to be `application/problem+json` with its status.
    static func problem(_ response: HTTPClient.Response) throws -> Problem {
        guard response.header("Content-Type") == Problem.contentType else {
            throw TestFailure("status \(response.status) with Content-Type \(response.header("Content-Type") ?? "none"): \(String(decoding: response.body.prefix(500), as: UTF8.self))")
        }
        let problem = try decode(Problem.self, response)
        guard problem.status == response.status else { throw TestFailure("problem status \(problem.status) on a \(response.status) answer") }
        return problem
    }

    /// `GET /v1/jobs/{id}` until the job's status is final.
    func awaitFinal(_ id: String, within limit: Duration = .seconds(90)) async throws -> JobResource {
        try await eventually("job \(id) to reach a final status through the API", within: limit) { () -> JobResource? in
            let response = try await send("GET", "/v1/jobs/\(id)")
            guard response.status == 200 else { return nil }
            let job = try Self.decode(JobResource.self, response)
            return job.status.isFinal ? job : nil
        }
    }
}
