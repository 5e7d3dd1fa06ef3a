import Hummingbird

/// Verifies the bearer token of every request through it and puts the caller on the context;
/// a request without a valid token goes no further (401, through `ProblemMiddleware`).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ApiRequestContext
    let authenticator: CallerAuthenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.caller = try await authenticator.caller(authorization: request.headers[.authorization])
        return try await next(request, context)
    }
}
