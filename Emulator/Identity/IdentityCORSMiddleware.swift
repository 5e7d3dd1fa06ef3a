import HTTPTypes
import Hummingbird

/// Cross-origin access to Identity Toolkit and Secure Token, as Firebase's own emulator allows
/// it (`Access-Control-Allow-Origin: *`): the api service's web console signs in from the
/// browser, on another origin than the emulator's. The other APIs of the emulator stay without
/// CORS. Added outside `GoogleErrorMiddleware`, so a refused call is already a `GoogleAPIError`;
/// it is answered here, so the browser may read Firebase's error code (`EMAIL_EXISTS`, …) too.
struct IdentityCORSMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The paths that take cross-origin calls.
    static var prefixes: [String] { ["/identitytoolkit.googleapis.com/", "/securetoken.googleapis.com/"] }

    /// Hummingbird's CORS handling (preflight answered, `Access-Control-Allow-Origin` added),
    /// with the headers the Firebase JS SDK sends.
    let cors = CORSMiddleware<Context>(
        allowOrigin: .all,
        allowHeaders: [.contentType, .authorization, HTTPField.Name("X-Client-Version")!, HTTPField.Name("X-Firebase-gmpid")!],
        allowMethods: [.post, .get, .options],
        maxAge: .seconds(3600)
    )

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard Self.prefixes.contains(where: { path.hasPrefix($0) }) else { return try await next(request, context) }
        return try await cors.handle(request, context: context) { request, context in
            do {
                return try await next(request, context)
            } catch let error as GoogleAPIError {
                return try error.response(from: request, context: context)
            }
        }
    }
}
