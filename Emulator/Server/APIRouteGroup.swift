import GoogleCloud
import HTTPTypes
import Hummingbird

/// One API's routes. Each group registers catch-all patterns under its prefixes and parses the
/// raw path itself: object names carry encoded slashes and methods carry `:verb` suffixes,
/// neither of which the router's segment matching can express.
protocol APIRouteGroup: Sendable {
    /// Adds this API's routes to `router`.
    func register(on router: Router<BasicRequestContext>)
}

extension APIRouteGroup {
    /// Registers `handler` for `pattern` under every method the Google APIs use.
    func registerAllMethods(_ pattern: RouterPath, on router: Router<BasicRequestContext>, handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response) {
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            router.on(pattern, method: method, use: handler)
        }
    }
}

/// Limits every API applies to its requests.
struct APILimits: Sendable {
    /// Largest request body accepted; more is refused with 413.
    var maxRequestBytes: Int
}
