import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird
import Logging
import PixelPipeCore
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport

@testable import Emulator

/// Shared set-up for the delivery tests: a store in a temporary directory, a delivery service
/// running for the duration of a body, and a wait for conditions.
enum DeliveryHarness {
    static let logger = Logger(label: "delivery-test") { _ in SwiftLogNoOpLogHandler() }

    /// A store in a fresh temporary directory, removed afterwards.
    static func withStore<T>(_ body: (EmulatorStore) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-delivery-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(try EmulatorStore(directory: directory))
    }

    /// Runs `service` while `body` runs, then cancels it and waits for it to stop.
    static func running<T: Sendable>(_ service: any Service, _ body: () async throws -> T) async throws -> T {
        let task = Task { try await service.run() }
        defer { task.cancel() }
        let result = try await body()
        task.cancel()
        _ = await task.result
        return result
    }

    /// Returns once `condition` holds; fails after `timeout` (a guard against hangs, not a speed check).
    static func eventually(timeout: Duration = .seconds(60), _ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A running queue with `retry` and `rate` limits, Cloud Tasks' defaults for the rest.
    static func makeQueue(_ store: EmulatorStore, _ name: String, retry: TasksQueue.RetryConfig? = nil, rate: TasksQueue.RateLimits? = nil) async throws {
        _ = try await TasksStore(store: store).createQueue(try TasksQueue(name: name, rateLimits: rate, retryConfig: retry).withDefaults())
    }

    /// A task POSTing `body` to `url`.
    static func makeTask(_ store: EmulatorStore, queue: String, id: String, url: String, body: String = "payload", deadline: GoogleDuration? = nil) async throws {
        var request = TasksTask.HTTPRequestTarget()
        request.url = url
        request.httpMethod = .post
        request.body = Data(body.utf8).base64EncodedString()
        _ = try await TasksStore(store: store).createTask(queue: queue, task: TasksTask(name: "\(queue)/tasks/\(id)", httpRequest: request, dispatchDeadline: deadline))
    }

    /// Whether the task still exists.
    static func exists(_ store: EmulatorStore, task: String) async throws -> Bool {
        do {
            _ = try await TasksStore(store: store).task(name: task)
            return true
        } catch let error as Emulator.GoogleAPIError where error.status == .notFound {
            return false
        }
    }
}

/// What a test handler received: the request headers (lower-cased names), body and arrival time.
struct Arrival: Sendable {
    var headers: [String: String]
    var body: Data
    var at: ContinuousClock.Instant

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// A handler server answering with `respond(arrival, index)` after an optional delay, recording
/// every request and the largest number handled at once.
final class TestHandler: Sendable {
    private let state = Mutex<(arrivals: [Arrival], current: Int, peak: Int)>(([], 0, 0))

    var arrivals: [Arrival] { state.withLock { $0.arrivals } }
    var peakConcurrency: Int { state.withLock { $0.peak } }

    /// Serves until `body` returns; request number `n` (1-based) waits `delays(n)` (or `delay`) before answering.
    func run<T: Sendable>(delay: Duration = .zero, delays: (@Sendable (Int) -> Duration)? = nil, respond: @escaping @Sendable (Arrival, Int) -> (status: Int, headers: [String: String]) = { _, _ in (200, [:]) },
                          _ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router(context: PeerContext.self)
        router.on("**", method: .post) { [self] request, _ -> Response in
            var request = request
            let bytes = try await request.collectBody(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let arrival = Arrival(headers: headers, body: Data(bytes.readableBytesView), at: .now)
            let index = state.withLock { state in
                state.arrivals.append(arrival)
                state.current += 1
                state.peak = max(state.peak, state.current)
                return state.arrivals.count
            }
            let wait = delays?(index) ?? delay
            if wait > .zero { try? await Task.sleep(for: wait) }
            state.withLock { $0.current -= 1 }
            let answer = respond(arrival, index)
            var fields = HTTPFields()
            for (name, value) in answer.headers { fields[HTTPField.Name(name)!] = value }
            return Response(status: .init(code: answer.status), headers: fields)
        }
        return try await withTestServer(router) { port in try await body("http://127.0.0.1:\(port)/handler") }
    }
}
