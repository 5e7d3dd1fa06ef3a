import Foundation
import GoogleCloud
import PixelPipeCore
import Testing
import TestSupport

/// The current trace (`TraceParent.current`) leaves with every call, message and task.
@Suite("Trace propagation through the Google clients")
struct TracePropagationTests {
    static let span = TraceParent(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7", sampled: true)
    static let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test("inside a trace: every API call carries traceparent, published messages get the attribute and HTTP tasks the header, unless they name their own")
    func insideATrace() async throws {
        let server = RecordingServer()
        try await server.run(respond: { request, _ in
            if request.path.hasSuffix(":publish") { return (200, #"{"messageIds":["1","2"]}"#, [:]) }
            if request.path.hasSuffix("/tasks") { return (200, String(decoding: request.body, as: UTF8.self).replacingOccurrences(of: #"{"task":"#, with: "").dropLast().description, [:]) }
            return (200, "{}", [:])
        }) { port in
            let api = recordingAPI(port: port)
            let pubsub = PubSubClient(api: api, project: "demo")
            let tasks = CloudTasksClient(api: api, project: "demo", location: "us-central1")
            let own = "00-11111111111111111111111111111111-2222222222222222-01"
            try await TraceParent.withCurrent(Self.span) {
                _ = try await pubsub.publish([
                    PubSubOutgoingMessage(data: Data("a".utf8), attributes: ["job": "j1"]),
                    PubSubOutgoingMessage(data: Data("b".utf8)),
                    PubSubOutgoingMessage(data: Data("c".utf8), attributes: ["traceparent": own]),
                ], to: "shards")
                try await tasks.createTask(CloudTask(name: tasks.taskName("t1", queue: "q"), httpRequest: .init(url: "http://process/", headers: ["Content-Type": "application/json"])), queue: "q")
                try await tasks.createTask(CloudTask(httpRequest: .init(url: "http://process/")), queue: "q")
                try await tasks.createTask(CloudTask(httpRequest: .init(url: "http://process/", headers: ["TraceParent": own])), queue: "q")
            }
            let requests = server.requests
            #expect(requests.count == 4)
            #expect(requests.allSatisfy { $0.headers["traceparent"] == Self.header }, "\(requests.map { $0.headers["traceparent"] ?? "none" })")

            let messages = try #require(requests[0].json?["messages"] as? [[String: Any]])
            let attributes = messages.map { $0["attributes"] as? [String: String] ?? [:] }
            #expect(attributes == [["job": "j1", "traceparent": Self.header], ["traceparent": Self.header], ["traceparent": own]])

            let headers = requests.dropFirst().map { (($0.json?["task"] as? [String: Any])?["httpRequest"] as? [String: Any])?["headers"] as? [String: String] ?? [:] }
            #expect(headers == [["Content-Type": "application/json", "traceparent": Self.header], ["traceparent": Self.header], ["TraceParent": own]])
        }
    }

    @Test("outside a trace nothing is added")
    func outsideATrace() async throws {
        let server = RecordingServer()
        try await server.run(respond: { _, _ in (200, #"{"messageIds":["1"]}"#, [:]) }) { port in
            let pubsub = PubSubClient(api: recordingAPI(port: port), project: "demo")
            _ = try await pubsub.publish([PubSubOutgoingMessage(data: Data("a".utf8), attributes: ["job": "j1"])], to: "shards")
            let request = try #require(server.requests.first)
            #expect(request.headers["traceparent"] == nil)
            let messages = try #require(request.json?["messages"] as? [[String: Any]])
            #expect(messages.first?["attributes"] as? [String: String] == ["job": "j1"])
        }
    }
}
