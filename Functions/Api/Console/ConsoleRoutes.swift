import Foundation
import HTTPTypes
import Hummingbird
import PipelineModel

/// The web console (docs/console.md): `GET /` and `GET /console/NAME`, answered from memory
/// with `Cache-Control: no-cache` and an ETag, so a new deploy is picked up on the next load
/// and an unchanged file costs a 304, and with headers that keep the page to its own scripts
/// and to the two origins it talks to: the api service and the identity service.
struct ConsoleRoutes: Sendable {
    /// The security headers of every console answer.
    let securityHeaders: HTTPFields

    /// Routes for pages that may call the identity APIs at `identityOrigins` besides the api service itself.
    init(identityOrigins: [String]) {
        let connect = (["'self'"] + identityOrigins).joined(separator: " ")
        var headers = HTTPFields()
        headers[Self.contentSecurityPolicy] = [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            // Thumbnails are fetched with the user's token and shown through blob: URLs.
            "img-src 'self' blob:",
            "connect-src \(connect)",
            // Forms are handled by the modules; without them nothing is submitted anywhere.
            "form-action 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ].joined(separator: "; ")
        headers[Self.contentTypeOptions] = "nosniff"
        headers[Self.referrerPolicy] = "no-referrer"
        headers[Self.frameOptions] = "DENY"
        headers[Self.openerPolicy] = "same-origin"
        securityHeaders = headers
    }

    /// Routes for an api service whose users sign in as `auth` says (`GET /config.json`).
    init(auth: AuthConfiguration) {
        self.init(identityOrigins: Self.identityOrigins(auth))
    }

    /// Where the browser signs in: the origins of Identity Toolkit and Secure Token (the
    /// emulator's one origin, or Google's two hosts), each once.
    static func identityOrigins(_ auth: AuthConfiguration) -> [String] {
        var origins: [String] = []
        for url in [auth.identityToolkitURL, auth.secureTokenURL] {
            if let origin = origin(of: url), !origins.contains(origin) { origins.append(origin) }
        }
        return origins
    }

    /// `scheme://host[:port]` of `url`.
    static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url.contains("://") ? url : "http://" + url),
              let scheme = components.scheme, let host = components.host else { return nil }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }

    /// Adds the routes to `router`.
    func register(on router: Router<ApiRequestContext>) {
        router.get("/") { request, _ in answer(ConsoleAssets.index, ifNoneMatch: request.headers[.ifNoneMatch]) }
        router.get("/console/{file}") { request, context in
            guard let asset = ConsoleAssets.files["/console/" + (context.parameters.get("file") ?? "")] else {
                throw Problem.notFound("the console has no file \(request.uri.path)")
            }
            return answer(asset, ifNoneMatch: request.headers[.ifNoneMatch])
        }
    }

    /// `asset`, or 304 when the request's `If-None-Match` names its ETag.
    func answer(_ asset: ConsoleAsset, ifNoneMatch: String?) -> Response {
        var headers = securityHeaders
        headers[.contentType] = asset.contentType
        headers[.cacheControl] = "no-cache"
        headers[.eTag] = asset.etag
        if let held = ifNoneMatch, held.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == asset.etag }) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
    static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
    static let openerPolicy = HTTPField.Name("Cross-Origin-Opener-Policy")!
}
