/// An error answer of the jobs API, `application/problem+json` (RFC 9457): what went wrong,
/// naming the field, row or header at fault.
public struct Problem: Codable, Sendable, Equatable, Error {
    /// `/problems/KIND`, e.g. `/problems/invalid-csv`.
    public var type: String
    /// A short summary of the kind of problem.
    public var title: String
    /// The HTTP status code.
    public var status: Int
    /// What exactly is wrong, naming the field, row or header.
    public var detail: String
    /// The request path the problem occurred on.
    public var instance: String?
    /// The request field (query parameter, multipart part, JSON member) at fault.
    public var field: String?
    /// The CSV data row at fault (1-based).
    public var row: Int?
    /// The CSV header at fault.
    public var header: String?
    /// Why a token was refused (401), as a fixed phrase: `expired`, `wrong audience`, `token
    /// revoked`… Never any part of the token.
    public var reason: String?
    /// Seconds until the request may succeed (429), as the `Retry-After` header says too.
    public var retryAfter: Int?

    /// The media type problems are answered with.
    public static let contentType = "application/problem+json"

    /// A problem of kind `kind` (the last segment of `type`).
    public init(kind: String, title: String, status: Int, detail: String, instance: String? = nil,
                field: String? = nil, row: Int? = nil, header: String? = nil) {
        type = "/problems/\(kind)"
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
        self.field = field
        self.row = row
        self.header = header
    }
}
