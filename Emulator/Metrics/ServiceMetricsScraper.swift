import GoogleCloud

/// Reads each running service's metrics from its loopback metrics port (`METRICS_PORT`, which
/// the supervisor gives it), so that the emulator's own `/metrics` re-exports them all: one
/// scrape target for a user's Prometheus. A service that does not answer is left out.
struct ServiceMetricsScraper: Sendable {
    /// How long one service may take to answer.
    var timeout: Duration = .seconds(2)

    /// Every answering service's exposition text, by service name, scraped concurrently.
    func scrape(_ services: [ServiceStatus]) async -> [(service: String, text: String)] {
        let targets = services.compactMap { service in service.metricsPort.map { (service.name, $0) } }
        guard !targets.isEmpty else { return [] }
        let http = HTTPClient()
        defer { http.shutdown() }
        let timeout = timeout
        return await withTaskGroup(of: (String, String)?.self) { group in
            for (name, port) in targets {
                group.addTask {
                    guard let response = try? await http.execute(.init(url: "http://127.0.0.1:\(port)/metrics", timeout: timeout)),
                          response.status == 200 else { return nil }
                    return (name, String(decoding: response.body, as: UTF8.self))
                }
            }
            var texts: [(service: String, text: String)] = []
            for await case let (name, text)? in group { texts.append((name, text)) }
            return texts.sorted { $0.service < $1.service }
        }
    }
}
