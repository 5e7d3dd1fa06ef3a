import PixelPipeCore

/// Awaits a condition instead of sleeping: calls `check` every `interval` until it returns a
/// value, and fails after `limit` naming what was awaited (and, via `context`, what was seen).
public func eventually<T: Sendable>(
    _ what: String,
    within limit: Duration = .seconds(60),
    interval: Duration = .milliseconds(100),
    context: @Sendable () -> String = { "" },
    _ check: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + limit
    while true {
        if let value = try await check() { return value }
        guard ContinuousClock.now < deadline else {
            let seen = context()
            throw TestFailure("timed out after \(limit) waiting for \(what)" + (seen.isEmpty ? "" : "\n\(seen)"))
        }
        try await Task.sleep(for: interval)
    }
}
