import Foundation
import GoogleCloud
import Hummingbird
import NIOCore
import PipelineModel

/// `GET /` and `/dashboard` (HTML), `/dashboard/jobs/{id}` (a job's waterfall, HTML),
/// `/_emulator/status` (JSON, or text with `?format=text`), `/metrics` (Prometheus text format:
/// the emulator's own metrics and every service's, scraped from their metrics ports).
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
        router.get("/dashboard/jobs/{id}") { _, context in
            guard let raw = context.parameters.get("id"), let id = JobID(raw),
                  let found = try await JobTimeline.read(job: id, store: store) else {
                return Self.response("no such job\n", type: "text/plain; charset=utf-8", status: .notFound)
            }
            return Self.response(WaterfallPage.render(found.timeline, record: found.record), type: "text/html; charset=utf-8")
        }
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
                let own = metrics.exposition(snapshot)
                let services = await ServiceMetricsScraper().scrape(snapshot.services.filter { $0.state == .ready })
                return Self.response(PrometheusText.merge(own: own, services: services), type: "text/plain; version=0.0.4")
            }
        }
    }

    private static func response(_ text: String, type: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
