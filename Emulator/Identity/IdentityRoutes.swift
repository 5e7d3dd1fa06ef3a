import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird
import NIOCore

/// Identity Toolkit v1 and Secure Token as the Firebase SDKs call them with
/// `FIREBASE_AUTH_EMULATOR_HOST` set (`/identitytoolkit.googleapis.com/v1/accounts:signUp`,
/// `/identitytoolkit.googleapis.com/v1/projects/P/accounts:update`,
/// `/securetoken.googleapis.com/v1/token`), and the token-signing public keys where Google
/// serves them (`/robot/v1/metadata/x509/…`, `/service_accounts/v1/jwk/…`, and for the ID
/// tokens of service accounts `/oauth2/v1/certs` and `/oauth2/v3/certs`).
///
/// Admin calls are authorised as the Firebase emulator authorises them: `Authorization: Bearer
/// owner` (what the admin SDKs send in emulator mode). The emulator listens on loopback only.
struct IdentityRoutes: APIRouteGroup {
    let service: IdentityService
    let key: IdentitySigningKey
    /// The project of calls whose path names none (`/v1/accounts:signUp?key=…`).
    let defaultProject: String
    let limits: APILimits

    /// The account whose keys sign Firebase ID tokens, in the paths Google serves its keys under.
    static let signerAccount = "securetoken@system.gserviceaccount.com"
    /// What Google answers its key documents with (the keys rotate; clients cache for hours).
    static let keysCacheControl = "public, max-age=19800, must-revalidate, no-transform"

    func register(on router: Router<BasicRequestContext>) {
        registerAllMethods("identitytoolkit.googleapis.com/v1/**", on: router) { request, _ in try await handleToolkit(request) }
        router.post("securetoken.googleapis.com/v1/token") { request, _ in try await handleToken(request) }
        router.get("robot/v1/metadata/x509/\(Self.signerAccount)") { _, _ in
            try APIJSON.response([key.keyID: key.certificatePEM], headers: [.cacheControl: Self.keysCacheControl])
        }
        router.get("service_accounts/v1/jwk/\(Self.signerAccount)") { _, _ in
            try APIJSON.response(["keys": [try key.jwk()]], headers: [.cacheControl: Self.keysCacheControl])
        }
        // Where Google publishes the keys of the ID tokens it mints for service accounts (what
        // Pub/Sub pushes and Cloud Tasks dispatches carry; `ServiceAccountIDTokens`), same key.
        router.get("oauth2/v1/certs") { _, _ in
            try APIJSON.response([key.keyID: key.certificatePEM], headers: [.cacheControl: Self.keysCacheControl])
        }
        router.get("oauth2/v3/certs") { _, _ in
            try APIJSON.response(["keys": [try key.jwk()]], headers: [.cacheControl: Self.keysCacheControl])
        }
    }

    private func handleToolkit(_ request: Request) async throws -> Response {
        let path = try request.apiPath()
        var segments = path.segments.dropFirst(2)
        var project = defaultProject
        if segments.first == "projects", segments.count >= 3 {
            project = segments[segments.startIndex + 1]
            guard ResourceID.isValidProjectOrLocation(project) else { throw GoogleAPIError.invalidArgument("Invalid project \"\(project)\".") }
            segments = segments.dropFirst(2)
        }
        guard Array(segments) == ["accounts"], request.method == .post else {
            throw GoogleAPIError.notFound("\(request.method) \(request.uri.path) is not served by this emulator's Identity Toolkit.")
        }
        let admin = request.headers[.authorization] == "Bearer owner"
        switch path.verb {
        case nil:
            // The admin SDKs' create: `POST projects/P/accounts`.
            guard path.segments.count > 3 else { throw GoogleAPIError.notFound("POST \(request.uri.path) is not served by this emulator's Identity Toolkit.") }
            guard admin else { throw GoogleAPIError.insufficientPermission }
            return try APIJSON.response(try await service.adminCreate(project: project, try await decode(request)))
        case "signUp":
            return try APIJSON.response(try await service.signUp(project: project, try await decode(request), admin: admin))
        case "signInWithPassword":
            return try APIJSON.response(try await service.signIn(project: project, try await decode(request)))
        case "lookup":
            return try APIJSON.response(try await service.lookup(project: project, try await decode(request), admin: admin))
        case "update":
            return try APIJSON.response(try await service.update(project: project, try await decode(request), admin: admin))
        case "delete":
            return try APIJSON.response(try await service.delete(project: project, try await decode(request), admin: admin))
        case let verb?:
            throw GoogleAPIError.notFound("accounts:\(verb) is not served by this emulator's Identity Toolkit.")
        }
    }

    /// Secure Token takes its parameters form-encoded (what the SDKs send) or as JSON.
    private func handleToken(_ request: Request) async throws -> Response {
        let body = try await request.collectBody(limit: limits.maxRequestBytes)
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        var grantType: String?
        var refreshToken: String?
        if contentType.hasPrefix("application/json") {
            let parameters = try APIJSON.decode([String: String].self, from: Data(body.readableBytesView))
            (grantType, refreshToken) = (parameters["grant_type"], parameters["refresh_token"])
        } else {
            let form = APIQuery(raw: String(buffer: body))
            (grantType, refreshToken) = (form["grant_type"], form["refresh_token"])
        }
        let query = request.apiQuery
        return try APIJSON.response(try await service.refresh(grantType: grantType ?? query["grant_type"], refreshToken: refreshToken ?? query["refresh_token"]))
    }

    private func decode<T: Decodable>(_ request: Request) async throws -> T {
        try await request.decodeJSON(T.self, limit: limits.maxRequestBytes)
    }
}
