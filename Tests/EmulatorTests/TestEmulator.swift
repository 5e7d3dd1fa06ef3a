import Foundation
import GoogleCloud
import Logging
import PipelineModel
import ServiceLifecycle
import Testing
import TestSupport

@testable import Emulator

/// An emulator application running in-process on port 0 with a temporary data directory, and
/// a client for it. `run` always shuts it down and removes the directory.
struct TestEmulator: Sendable {
    let baseURL: String
    let dataDirectory: URL
    let client: HTTPClient
    /// The emulator's store, for what the API does not show (its disk health).
    let store: EmulatorStore

    /// Starts the emulator, runs `body`, then shuts the emulator down gracefully.
    /// `logger` receives the emulator's log (none is kept by default).
    static func run<T: Sendable>(maxRequestBytes: Int = 64 << 20, dataDirectory: URL? = nil, httpsPort: Int? = nil, logger: Logger? = nil,
                                 _ body: @Sendable (TestEmulator) async throws -> T) async throws -> T {
        let directory = dataDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("emulator-test-\(UUID().uuidString)/data")
        defer { if dataDirectory == nil { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) } }
        let store = try EmulatorStore(directory: directory)
        let logger = logger ?? Logger(label: "emulator-test") { _ in SwiftLogNoOpLogHandler() }
        var configuration = EmulatorConfiguration(dataDirectory: directory, host: "127.0.0.1", port: 0, maxRequestBytes: maxRequestBytes)
        configuration.httpsPort = httpsPort
        return try await withRunningApplication({ onRunning in
            try EmulatorServer.makeApplication(configuration: configuration, store: store, logger: logger, onServerRunning: onRunning)
        }) { port in
            let client = HTTPClient()
            defer { client.shutdown() }
            return try await body(TestEmulator(baseURL: "http://127.0.0.1:\(port)", dataDirectory: directory, client: client, store: store))
        }
    }

    /// Sends one request; `path` may carry a query string.
    @discardableResult
    func send(_ method: String, _ path: String, json: String? = nil, body: Data? = nil,
              headers: [(name: String, value: String)] = []) async throws -> TestResponse {
        try await TestResponse.send(client: client, method: method, url: baseURL + path, json: json, body: body, headers: headers)
    }
}

/// A response with helpers to read Google's JSON.
struct TestResponse: Sendable {
    let status: Int
    let body: Data
    let headers: [(name: String, value: String)]

    static func send(client: HTTPClient, method: String, url: String, json: String? = nil, body: Data? = nil,
                     headers: [(name: String, value: String)] = []) async throws -> TestResponse {
        var allHeaders = headers
        if json != nil, !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            allHeaders.append(("Content-Type", "application/json"))
        }
        let response = try await client.execute(.init(method: method, url: url, headers: allHeaders, body: json.map { Data($0.utf8) } ?? body))
        return TestResponse(status: response.status, body: response.body, headers: response.headers)
    }

    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// `error.status` of a Google-style error body.
    var errorStatus: String? { (json["error"] as? [String: Any])?["status"] as? String }
    /// `error.message` of a Google-style error body.
    var errorMessage: String { ((json["error"] as? [String: Any])?["message"] as? String) ?? "" }
}

extension Dictionary where Key == String, Value == Any {
    /// Follows `path` (`"a.b"`, with `[0]` for arrays) through nested JSON.
    func value(at path: String) -> Any? {
        var current: Any? = self
        for part in path.split(separator: ".") {
            var key = Substring(part)
            var index: Int?
            if let open = part.firstIndex(of: "["), part.hasSuffix("]") {
                key = part[..<open]
                index = Int(part[part.index(after: open)..<part.index(before: part.endIndex)])
            }
            current = (current as? [String: Any])?[String(key)]
            if let index { current = (current as? [Any]).flatMap { $0.indices.contains(index) ? $0[index] : nil } }
        }
        return current
    }
}
