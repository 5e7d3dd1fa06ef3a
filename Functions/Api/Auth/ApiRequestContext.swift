import Hummingbird
import PipelineModel

/// The api service's request context: Hummingbird's core plus the caller, set by
/// `AuthenticationMiddleware` on every `/v1` route.
struct ApiRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Who is calling; nil only on the routes that need no sign-in (`/`, `/config.json`, …).
    var caller: Caller?

    init(source: Source) {
        coreContext = .init(source: source)
    }

    /// The caller of a `/v1` route (the middleware guarantees one there).
    func requireCaller() throws(Problem) -> Caller {
        guard let caller else {
            throw Problem.unauthenticated(Problem.missingTokenReason, "send Authorization: Bearer ID_TOKEN")
        }
        return caller
    }
}
