import Foundation
import GoogleCloud
import Hummingbird
import PipelineModel
import Logging
import PixelPipeCore

extension Problem {
    /// The problem as an `application/problem+json` response to a request for `path`.
    func response(path: String) -> Response {
        var problem = self
        if problem.instance == nil { problem.instance = path }
        var headers = HTTPFields()
        headers[.contentType] = Problem.contentType
        if problem.status == 401 {
            // RFC 6750: no error code when no token came, `invalid_token` for a refused one.
            headers[.wwwAuthenticate] = problem.reason == Self.missingTokenReason
                ? #"Bearer realm="pixelpipe""# : #"Bearer realm="pixelpipe", error="invalid_token""#
        }
        if let seconds = problem.retryAfter { headers[.retryAfter] = String(seconds) }
        let body = (try? APIJSON.encoder.encode(problem)) ?? Data()
        return Response(status: .init(code: problem.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The problem an error thrown while serving stands for: itself; Hummingbird's own errors
    /// (no route, method not allowed) with their status; 503 for a transient backend failure;
    /// 500 otherwise.
    static func from(_ error: any Error) -> Problem {
        if let problem = error as? Problem { return problem }
        if let error = error as? HTTPError {
            let code = error.status.code
            switch code {
            case 404: return .notFound("no such resource; see /openapi.json for the routes")
            case 405: return Problem(kind: "method-not-allowed", title: "Method not allowed", status: 405, detail: "the resource does not take this method")
            default: return Problem(kind: "http-\(code)", title: error.status.reasonPhrase, status: code, detail: error.body ?? error.status.reasonPhrase)
            }
        }
        if let classified = error as? any RetryClassifiedError, classified.isTransient {
            return .unavailable("a backend did not answer; retry the request")
        }
        return .internalError()
    }
}

/// Turns every error a route throws into a problem document, so clients see one error shape.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            // No route matched: a known path asked with another method is a 405 naming the methods it takes.
            guard let allowed = AllowedMethods.of(request.uri.path), !allowed.contains(request.method.rawValue) else {
                return Problem.from(error).response(path: request.uri.path)
            }
            var response = Problem(kind: "method-not-allowed", title: "Method not allowed", status: 405,
                                   detail: "\(request.uri.path) takes \(allowed.joined(separator: ", ")), not \(request.method.rawValue)")
                .response(path: request.uri.path)
            response.headers[.allow] = allowed.joined(separator: ", ")
            return response
        } catch {
            let problem = Problem.from(error)
            if problem.status >= 500 {
                context.logger.error("request failed", metadata: ["pixelpipe.path": .string(request.uri.path), "pixelpipe.error": "\(error)"])
            }
            return problem.response(path: request.uri.path)
        }
    }
}
