import PipelineModel

/// The kinds of problem the jobs API answers with, each with its status and title, so every
/// route says the same thing the same way.
extension Problem {
    /// 400: a request field, part, header or query parameter is malformed.
    static func invalid(_ field: String, _ detail: String) -> Problem {
        Problem(kind: "invalid-request", title: "The request is malformed", status: 400, detail: detail, field: field)
    }

    /// 400: the CSV cannot be a job (empty, no header, a missing column, not text).
    static func invalidCSV(_ detail: String, field: String, row: Int? = nil, header: String? = nil) -> Problem {
        Problem(kind: "invalid-csv", title: "The CSV cannot be used", status: 400, detail: detail, field: field, row: row, header: header)
    }

    /// 400: the recipe does not decode or validate, or is over the output budget.
    static func invalidRecipe(_ detail: String, field: String = "recipe") -> Problem {
        Problem(kind: "invalid-recipe", title: "The recipe is not valid", status: 400, detail: detail, field: field)
    }

    /// 404: no job with this id.
    static func jobNotFound(_ id: String) -> Problem {
        Problem(kind: "not-found", title: "No such job", status: 404, detail: "there is no job \(id)")
    }

    /// 404: a resource of the job that does not exist (yet).
    static func notFound(_ detail: String) -> Problem {
        Problem(kind: "not-found", title: "Not found", status: 404, detail: detail)
    }

    /// 409: the job's state does not allow the action.
    static func conflict(_ detail: String) -> Problem {
        Problem(kind: "conflict", title: "The job's state does not allow this", status: 409, detail: detail)
    }

    /// 413: the upload is over the limit.
    static func tooLarge(_ field: String, limit: Int) -> Problem {
        Problem(kind: "too-large", title: "The upload is too large", status: 413,
                detail: "\(field) is larger than the limit of \(limit) bytes", field: field)
    }

    /// 415: the body's content type is not one the route takes.
    static func unsupportedMediaType(_ type: String?, expected: String, field: String = "Content-Type") -> Problem {
        Problem(kind: "unsupported-media-type", title: "Unsupported content type", status: 415,
                detail: "\(field) \(type.map { "'\($0)'" } ?? "(none)") is not accepted here; send \(expected)", field: field)
    }

    /// 422: the same `Idempotency-Key` was used with a different request.
    static func idempotencyKeyReused(_ key: String) -> Problem {
        Problem(kind: "idempotency-key-reused", title: "The Idempotency-Key was used for another request", status: 422,
                detail: "Idempotency-Key '\(key.prefix(80))' was already used with a different body; use a new key for a new request",
                field: "Idempotency-Key")
    }

    /// The `reason` of a 401 for a request without a token.
    static let missingTokenReason = "missing token"

    /// 401: no bearer token, or one that does not identify a current user; `reason` is a fixed
    /// phrase (`missing token`, `expired`, `bad signature`, `user deleted`…), never the token.
    static func unauthenticated(_ reason: String, _ detail: String) -> Problem {
        var problem = Problem(kind: "unauthenticated", title: "Sign in first", status: 401, detail: detail, field: "Authorization")
        problem.reason = reason
        return problem
    }

    /// 429: a per-user limit is reached; the request may succeed after `retryAfter` seconds.
    static func tooManyRequests(_ detail: String, retryAfter: Int) -> Problem {
        var problem = Problem(kind: "rate-limited", title: "A limit of your account is reached", status: 429, detail: detail)
        problem.retryAfter = max(1, retryAfter)
        return problem
    }

    /// 503: a backend did not answer; the client may retry.
    static func unavailable(_ detail: String) -> Problem {
        Problem(kind: "unavailable", title: "Try again later", status: 503, detail: detail)
    }

    /// 500: something unexpected.
    static func internalError() -> Problem {
        Problem(kind: "internal", title: "Internal error", status: 500, detail: "the request failed unexpectedly; it is logged")
    }
}
