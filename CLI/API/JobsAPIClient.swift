import Foundation
import GoogleCloud
import PipelineModel

/// The jobs API (`/v1/jobs`, `/v1/images`) over PixelPipe's libcurl client: every answer decoded
/// into the contract's types (`JobResource`, `JobPage`, `ItemPage`), every `problem+json` into a
/// `CLIError` naming the field, row or header at fault.
public struct JobsAPIClient: Sendable {
    /// Where the API is.
    public let endpoint: APIEndpoint
    private let http: HTTPClient
    /// The user's Firebase ID token, sent as `Authorization: Bearer …` and refreshed as it ages.
    private let tokens: APITokenSource?
    /// `X-Serverless-Authorization` header value: gcloud's identity token for an API that Cloud
    /// Run's IAM guards too (`--gcloud-token`); Cloud Run checks that header and leaves
    /// `Authorization` to the API.
    private let serverlessAuthorization: String?

    /// A client of the API at `endpoint`; `tokens` gives the ID token to send, if any, and
    /// `gcloudToken` is an identity token for Cloud Run's IAM in front of the API.
    public init(endpoint: APIEndpoint, http: HTTPClient, tokens: APITokenSource?, gcloudToken: String? = nil) {
        self.endpoint = endpoint
        self.http = http
        self.tokens = tokens
        self.serverlessAuthorization = gcloudToken.map { "Bearer \($0)" }
    }

    /// A client of the endpoint resolved from the command line and environment, with the
    /// signed-in user's ID token (`APITokenSource`: no sign-in, or one that no longer refreshes,
    /// fails here, before any request), and gcloud's identity token as well when `gcloudToken`
    /// asks for it.
    public static func make(apiOption: String?, gcloudToken: Bool = false, environment: [String: String] = ProcessInfo.processInfo.environment) async throws(CLIError) -> JobsAPIClient {
        let http = HTTPClient()
        let endpoint = try await APIEndpoint.resolve(option: apiOption, environment: environment, client: http)
        let tokens = try APITokenSource.standard(endpoint: endpoint, environment: environment, http: http)
        _ = try await tokens.token()
        let serverless = gcloudToken ? try await IdentityTokenSource(gcloud: environment["PIXELPIPE_GCLOUD"] ?? "gcloud").token() : nil
        return JobsAPIClient(endpoint: endpoint, http: http, tokens: tokens, gcloudToken: serverless)
    }

    // MARK: Jobs

    /// `POST /v1/jobs`: a form of the recipe and webhook, then the CSV at `file`, streamed
    /// from disk as the request is sent.
    public func submit(csv file: URL, recipe: String?, webhook: String?) async throws(CLIError) -> JobResource {
        var form = MultipartForm()
        if let recipe { form.field("recipe", recipe) }
        if let webhook { form.field("webhookUrl", webhook) }
        form.file("csv", file, contentType: "text/csv")
        return try await send("POST", "/v1/jobs", headers: [("Content-Type", form.contentType)], parts: form.body, timeout: .seconds(3600))
    }

    /// `POST /v1/images`: a form of the recipe and webhook, then the image at `file`.
    public func submitImage(file: URL, recipe: String?, webhook: String?) async throws(CLIError) -> JobResource {
        var form = MultipartForm()
        if let recipe { form.field("recipe", recipe) }
        if let webhook { form.field("webhookUrl", webhook) }
        form.file("image", file, contentType: Self.imageContentType(file))
        return try await send("POST", "/v1/images", headers: [("Content-Type", form.contentType)], parts: form.body, timeout: .seconds(600))
    }

    /// `POST /v1/images` naming the image by `url` (JSON body).
    public func submitImage(url: String, recipe: String?, webhook: String?) async throws(CLIError) -> JobResource {
        var body: [String: JSONValue] = ["url": .string(url)]
        if let recipe {
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(recipe.utf8)) else { throw .usage("error: --recipe is not JSON") }
            body["recipe"] = value
        }
        if let webhook { body["webhookUrl"] = .string(webhook) }
        let data = (try? APIJSON.encoder.encode(body)) ?? Data()
        return try await send("POST", "/v1/images", headers: [("Content-Type", "application/json")], body: data)
    }

    /// `GET /v1/jobs/{id}`.
    public func job(_ id: String) async throws(CLIError) -> JobResource {
        try await send("GET", "/v1/jobs/\(Self.segment(id))")
    }

    /// `GET /v1/jobs`: one page, newest first.
    public func jobs(status: String?, pageSize: Int, pageToken: String? = nil) async throws(CLIError) -> JobPage {
        var query: [(String, String)] = [("pageSize", String(pageSize))]
        if let status { query.append(("status", status)) }
        if let pageToken { query.append(("pageToken", pageToken)) }
        return try await send("GET", "/v1/jobs" + Self.query(query))
    }

    /// `GET /v1/jobs/{id}/items`: one page in row order.
    public func items(job id: String, status: ItemResource.Status?, pageSize: Int = 1000, pageToken: String? = nil) async throws(CLIError) -> ItemPage {
        var query: [(String, String)] = [("pageSize", String(pageSize))]
        if let status { query.append(("status", status.rawValue)) }
        if let pageToken { query.append(("pageToken", pageToken)) }
        return try await send("GET", "/v1/jobs/\(Self.segment(id))/items" + Self.query(query))
    }

    /// `POST /v1/jobs/{id}:cancel`.
    public func cancel(_ id: String) async throws(CLIError) -> JobResource {
        try await send("POST", "/v1/jobs/\(Self.segment(id)):cancel", body: Data())
    }

    /// `POST /v1/jobs/{id}:retry`.
    public func retry(_ id: String) async throws(CLIError) -> JobResource {
        try await send("POST", "/v1/jobs/\(Self.segment(id)):retry", body: Data())
    }

    /// `GET /v1/me`: the signed-in user as the API sees them, or nil when the API has no such route (404).
    public func me() async throws(CLIError) -> CallerResource? {
        let response = try await exchange("GET", "/v1/me")
        if response.status == 404 { return nil }
        return try decoded(response, "GET", "/v1/me")
    }

    /// GETs `url` (absolute, or a path on the API) and returns the body; output links may point
    /// at Storage rather than the API, and carry the token only when they are the API's.
    public func download(_ url: String) async throws(CLIError) -> Data {
        let absolute = url.hasPrefix("/") ? endpoint.url(url) : url
        var headers: [(name: String, value: String)] = []
        if absolute.hasPrefix(endpoint.baseURL + "/") { headers = try await authorizationHeaders() }
        let response: HTTPClient.Response
        do {
            response = try await http.execute(.init(url: absolute, headers: headers, timeout: .seconds(600)))
        } catch {
            throw .download("could not download \(absolute): \(error)")
        }
        guard (200..<300).contains(response.status) else {
            if response.status == 401 { throw unauthorized(response) }
            if let problem = Self.problem(in: response) { throw .problem(problem) }
            throw .download("could not download \(absolute): HTTP \(response.status)")
        }
        return response.body
    }

    // MARK: Exchange

    private func send<Answer: Decodable>(
        _ method: String, _ path: String, headers: [(name: String, value: String)] = [], body: Data? = nil, parts: [HTTPClient.BodyPart]? = nil,
        timeout: Duration = .seconds(60)
    ) async throws(CLIError) -> Answer {
        try decoded(try await exchange(method, path, headers: headers, body: body, parts: parts, timeout: timeout), method, path)
    }

    /// Sends one request with the tokens; any answer is returned, only no answer throws.
    private func exchange(
        _ method: String, _ path: String, headers: [(name: String, value: String)] = [], body: Data? = nil, parts: [HTTPClient.BodyPart]? = nil,
        timeout: Duration = .seconds(60)
    ) async throws(CLIError) -> HTTPClient.Response {
        let headers = headers + [("Accept", "application/json")] + (try await authorizationHeaders())
        do {
            return try await http.execute(.init(method: method, url: endpoint.url(path), headers: headers, body: body, streamedBody: parts, timeout: timeout))
        } catch {
            throw .unreachable(endpoint.baseURL, error)
        }
    }

    /// The answer to `method path` decoded, or the error it carries.
    private func decoded<Answer: Decodable>(_ response: HTTPClient.Response, _ method: String, _ path: String) throws(CLIError) -> Answer {
        guard (200..<300).contains(response.status) else {
            if response.status == 401 { throw unauthorized(response) }
            if let problem = Self.problem(in: response) { throw .problem(problem) }
            let text = String(decoding: response.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .unexpectedAnswer("\(method) \(path) answered HTTP \(response.status)" + (text.isEmpty ? "" : ": \(text)"))
        }
        do {
            return try APIJSON.decoder.decode(Answer.self, from: response.body)
        } catch {
            throw .unexpectedAnswer("\(method) \(path) answered what is not a \(Answer.self): \(error)")
        }
    }

    /// The headers that carry the tokens, the ID token refreshed first if it is about to expire.
    private func authorizationHeaders() async throws(CLIError) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        if let tokens { headers.append(("Authorization", "Bearer \(try await tokens.token())")) }
        if let serverlessAuthorization { headers.append(("X-Serverless-Authorization", serverlessAuthorization)) }
        return headers
    }

    /// A 401: the API refused the ID token (revoked, the account deleted or disabled, or a
    /// `PIXELPIPE_TOKEN` expired), as one line saying what to do.
    private func unauthorized(_ response: HTTPClient.Response) -> CLIError {
        let detail = Self.problem(in: response)?.detail ?? "no reason given"
        if tokens?.isOverridden == true { return .tokenRefused(endpoint.baseURL, detail) }
        return .signInEnded(endpoint.baseURL, "the jobs API at \(endpoint.baseURL) no longer accepts your sign-in (HTTP 401: \(detail))")
    }

    /// The problem document of an error answer, if it carries one.
    static func problem(in response: HTTPClient.Response) -> Problem? {
        guard let type = response.header("Content-Type"), type.hasPrefix(Problem.contentType) || type.hasPrefix("application/json") else { return nil }
        return try? APIJSON.decoder.decode(Problem.self, from: response.body)
    }

    private static func query(_ items: [(String, String)]) -> String {
        items.isEmpty ? "" : "?" + items.map { "\(GoogleAPIClient.percentEncoded($0.0))=\(GoogleAPIClient.percentEncoded($0.1))" }.joined(separator: "&")
    }

    private static func segment(_ text: String) -> String { GoogleAPIClient.percentEncoded(text) }

    /// The media type of an image file by its extension (the API sniffs the bytes anyway).
    static func imageContentType(_ file: URL) -> String {
        switch file.pathExtension.lowercased() {
        case "jpg", "jpeg": "image/jpeg"
        case "png": "image/png"
        case "webp": "image/webp"
        case "gif": "image/gif"
        case "avif": "image/avif"
        case "heic", "heif": "image/heif"
        case "tif", "tiff": "image/tiff"
        default: "application/octet-stream"
        }
    }
}
