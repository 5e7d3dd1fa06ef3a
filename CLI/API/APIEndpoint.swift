import Foundation
import GoogleCloud

/// Where the jobs API is: `--api URL`, else `PIXELPIPE_API`, else the `api` service of the
/// emulator running on this machine (its status JSON on `127.0.0.1:$PIXELPIPE_PORT`, 8085 by
/// default), else `http://127.0.0.1:8086`, the port the local pipeline pins for it.
public struct APIEndpoint: Sendable, Equatable {
    /// The API's root, without a trailing slash (`http://127.0.0.1:8086`).
    public var baseURL: String

    /// The api service's port in the local pipeline (infra/pipeline.yaml).
    public static let defaultLocal = "http://127.0.0.1:8086"

    /// An endpoint at `baseURL`.
    public init(baseURL: String) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
    }

    /// Resolves the endpoint as described on the type; `environment` is the process's.
    public static func resolve(option: String?, environment: [String: String], client: HTTPClient) async throws(CLIError) -> APIEndpoint {
        if let option { return try validated(option, from: "--api") }
        if let variable = environment["PIXELPIPE_API"], !variable.isEmpty { return try validated(variable, from: "PIXELPIPE_API") }
        let emulatorPort = environment["PIXELPIPE_PORT"].flatMap(Int.init) ?? 8085
        if let discovered = await discover(emulator: "http://127.0.0.1:\(emulatorPort)", client: client) {
            return APIEndpoint(baseURL: discovered)
        }
        return APIEndpoint(baseURL: defaultLocal)
    }

    /// The `api` service's URL in a running emulator's `/_emulator/status`, or nil when no
    /// emulator answers there or it runs no api service.
    static func discover(emulator: String, client: HTTPClient) async -> String? {
        struct Status: Decodable {
            struct Service: Decodable { var name: String; var url: String }
            var services: [Service]
        }
        guard let response = try? await client.execute(.init(url: emulator + "/_emulator/status", timeout: .seconds(5))),
              response.status == 200,
              let status = try? JSONDecoder().decode(Status.self, from: response.body) else { return nil }
        return status.services.first { $0.name == "api" }?.url
    }

    private static func validated(_ url: String, from source: String) throws(CLIError) -> APIEndpoint {
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme, ["http", "https"].contains(scheme.lowercased()),
              let host = parsed.host, !host.isEmpty else {
            throw .usage("error: \(source) must be an http(s) URL such as https://api.example.com, not \(url.debugDescription)")
        }
        return APIEndpoint(baseURL: url)
    }

    /// The absolute URL of `path` (which starts with `/`).
    public func url(_ path: String) -> String { baseURL + path }
}
