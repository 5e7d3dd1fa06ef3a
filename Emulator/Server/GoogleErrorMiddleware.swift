import GoogleCloud
import Hummingbird
import Logging

/// Keeps every failure in Google's error shape: errors that are not `GoogleAPIError` (a
/// database or file-system failure, a Hummingbird `HTTPError`) become one, and server-side
/// failures are logged at `error` — the only log lines a healthy emulator does not write.
/// A full or failing disk is 503 `UNAVAILABLE` (clients retry) and is noted in `health`.
struct GoogleErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    var health: StoreHealth?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as GoogleAPIError {
            if error.status.code >= 500 { log(error, request) }
            throw error
        } catch let error as HTTPError {
            let code: GoogleStatusCode = error.status.code == 404 ? .notFound : (error.status.code >= 500 ? .internal : .invalidArgument)
            let converted = GoogleAPIError(code, status: error.status, error.body ?? error.status.reasonPhrase)
            if error.status.code >= 500 { log(converted, request) }
            throw converted
        } catch where StoreHealth.diskProblemKind(of: error) != nil {
            health?.note(error)
            let converted = GoogleAPIError.unavailable("The emulator's disk cannot take writes now: \(error). Retry later.")
            log(converted, request)
            throw converted
        } catch {
            let converted = GoogleAPIError.internal("The emulator failed: \(error)")
            log(converted, request)
            throw converted
        }
    }

    private func log(_ error: GoogleAPIError, _ request: Request) {
        logger.error("emulator request failed", metadata: [
            "pixelpipe.method": .string(request.method.rawValue),
            "pixelpipe.path": .string(request.uri.path),
            "pixelpipe.error": .string(error.message),
        ])
    }
}
