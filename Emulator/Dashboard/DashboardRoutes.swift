import Foundation
import GoogleCloud
import Hummingbird
import NIOCore

/// `GET /` and `/dashboard` (HTML), `/_emulator/status` (JSON, or text with `?format=text`),
/// `/metrics` (Prometheus text format).
struct DashboardRoutes: Sendable {
    let store: EmulatorStore
    let recent: RecentInvocations?
    let metrics: EmulatorMetrics?
    var directory: ServiceDirectory? = nil
    /// Jobs' first failure reasons, kept between refreshes of the page.
    let failureReasons = FailureReasonCache()

    func register(on router: Router<BasicRequestContext>) {
        let page: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            let snapshot = try await DashboardSnapshot.read(store: store, recent: recent, directory: directory, failureReasons: failureReasons)
            return Self.response(DashboardPage.render(snapshot), type: "text/html; charset=utf-8")
        }
        router.get("/", use: page)
        router.get("/dashboard", use: page)
        router.get("/_emulator/status") { request, _ in
            let snapshot = try await DashboardSnapshot.read(store: store, recent: recent, directory: directory, failureReasons: failureReasons)
            if request.uri.queryParameters.get("format") == "text" {
                return Self.response(DashboardText.render(snapshot), type: "text/plain; charset=utf-8")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            return Self.response(String(decoding: try encoder.encode(snapshot), as: UTF8.self), type: "application/json")
        }
        if let metrics {
            router.get("/metrics") { _, _ in
                let snapshot = try await DashboardSnapshot.read(store: store, recent: recent, directory: directory)
                return Self.response(metrics.exposition(snapshot), type: "text/plain; version=0.0.4")
            }
        }
    }

    private static func response(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
