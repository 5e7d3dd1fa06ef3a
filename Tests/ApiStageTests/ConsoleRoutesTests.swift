@testable import ApiStage
import GoogleCloud
import PixelPipeCore
import Hummingbird
import Testing

/// The web console's files: each served with its type, `no-cache` and an ETag (304 when the
/// browser holds it), and the security headers that keep the page to its own scripts.
@Suite("Console routes")
struct ConsoleRoutesTests {
    let routes = ConsoleRoutes(identityOrigins: ["http://127.0.0.1:8085"])

    @Test("every file is served with its content type, no-cache and a quoted ETag", arguments: [
        ("/", "text/html; charset=utf-8"),
        ("/console/style.css", "text/css; charset=utf-8"),
        ("/console/app.js", "text/javascript; charset=utf-8"),
        ("/console/job.js", "text/javascript; charset=utf-8"),
    ])
    func served(path: String, contentType: String) throws {
        let asset = try #require(path == "/" ? ConsoleAssets.index : ConsoleAssets.files[path])
        let response = routes.answer(asset, ifNoneMatch: nil)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == contentType)
        #expect(response.headers[.cacheControl] == "no-cache")
        #expect(response.headers[.eTag]?.count == 18)
        #expect(response.headers[.eTag]?.hasPrefix("\"") == true)
    }

    @Test("If-None-Match with the ETag (alone or in a list) answers 304; another ETag the file")
    func conditional() throws {
        let asset = try #require(ConsoleAssets.files["/console/api.js"])
        #expect(routes.answer(asset, ifNoneMatch: asset.etag).status == .notModified)
        #expect(routes.answer(asset, ifNoneMatch: "\"0000000000000000\", \(asset.etag)").status == .notModified)
        #expect(routes.answer(asset, ifNoneMatch: "\"0000000000000000\"").status == .ok)
    }

    @Test("the security headers: no inline script, connections to the service and the identity origins only, no framing")
    func securityHeaders() {
        let response = routes.answer(ConsoleAssets.index, ifNoneMatch: nil)
        let policy = response.headers[ConsoleRoutes.contentSecurityPolicy] ?? ""
        let directives = Dictionary(uniqueKeysWithValues: policy.split(separator: ";").map { directive in
            let words = directive.split(separator: " ").map(String.init)
            return (words[0], Array(words.dropFirst()))
        })
        #expect(directives["default-src"] == ["'none'"])
        #expect(directives["script-src"] == ["'self'"])
        #expect(directives["connect-src"] == ["'self'", "http://127.0.0.1:8085"])
        #expect(directives["img-src"] == ["'self'", "blob:"])
        #expect(directives["frame-ancestors"] == ["'none'"])
        #expect(response.headers[ConsoleRoutes.contentTypeOptions] == "nosniff")
        #expect(response.headers[ConsoleRoutes.referrerPolicy] == "no-referrer")
    }

    @Test("the identity origins: the emulator's one origin, or Google's two hosts")
    func identityOrigins() throws {
        let emulator = AuthConfiguration(project: "pixelpipe-local", identityBaseURL: "http://127.0.0.1:8085")
        #expect(ConsoleRoutes.identityOrigins(emulator) == ["http://127.0.0.1:8085"])
        let google = try AuthConfiguration(environment: EnvironmentValues(["FIREBASE_API_KEY": "key"]), project: "pixelpipe")
        #expect(ConsoleRoutes.identityOrigins(google) == ["https://identitytoolkit.googleapis.com", "https://securetoken.googleapis.com"])
    }

    @Test("every module the page loads is served, and every module a module imports")
    func modulesResolve() throws {
        var wanted: Set<String> = []
        let html = String(decoding: ConsoleAssets.index.bytes, as: UTF8.self)
        for match in html.matches(of: /(?:src|href)="(\/console\/[^"]+)"/) { wanted.insert(String(match.1)) }
        for asset in ConsoleAssets.files.values where asset.path.hasSuffix(".js") {
            let text = String(decoding: asset.bytes, as: UTF8.self)
            for match in text.matches(of: /from '\.\/([a-z-]+\.js)'/) { wanted.insert("/console/" + match.1) }
        }
        #expect(wanted.contains("/console/app.js"))
        #expect(wanted.subtracting(ConsoleAssets.files.keys).isEmpty, "not served: \(wanted.subtracting(ConsoleAssets.files.keys))")
        #expect(Set(ConsoleAssets.files.keys).subtracting(wanted).isEmpty, "served but never loaded: \(Set(ConsoleAssets.files.keys).subtracting(wanted))")
    }
}
