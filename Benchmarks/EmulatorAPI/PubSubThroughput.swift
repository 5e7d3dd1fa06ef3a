import Foundation
import GoogleAPIsGRPC
import GoogleCloud
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Synchronization

/// Pub/Sub publish and pull throughput over gRPC, and REST pull for comparison: the same
/// messages (~130 bytes and one attribute) against the same emulator in the same run.
enum PubSubThroughput {
    typealias Transport = HTTP2ClientTransport.Posix

    /// Runs `body` with Publisher and Subscriber clients on one HTTP/2 connection to `base`'s port.
    static func withClients<T: Sendable>(
        base: String,
        _ body: (Google_Pubsub_V1_Publisher.Client<Transport>, Google_Pubsub_V1_Subscriber.Client<Transport>) async throws -> T
    ) async throws -> T {
        guard let port = URLComponents(string: base)?.port else { fatalError("no port in \(base)") }
        let transport = try Transport(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
        return try await withGRPCClient(transport: transport) { client in
            try await body(Google_Pubsub_V1_Publisher.Client(wrapping: client), Google_Pubsub_V1_Subscriber.Client(wrapping: client))
        }
    }

    /// Publishes `requests` requests of `perRequest` messages with `concurrency` calls in flight;
    /// returns messages per second and latency percentiles.
    static func publish(_ publisher: Google_Pubsub_V1_Publisher.Client<Transport>, topic: String, payload: Data,
                        requests: Int, perRequest: Int, concurrency: Int) async throws -> (perSecond: Double, p50: Double, p99: Double, failures: Int) {
        var request = Google_Pubsub_V1_PublishRequest()
        request.topic = topic
        var message = Google_Pubsub_V1_PubsubMessage()
        message.data = payload
        message.attributes = ["job": "j"]
        request.messages = Array(repeating: message, count: perRequest)
        let next = RequestCounter()
        let started = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
            for _ in 0..<concurrency {
                group.addTask { [request] in
                    var latencies: [Double] = []
                    var failures = 0
                    while next.value.add(1, ordering: .relaxed).oldValue < requests {
                        let begin = ContinuousClock.now
                        do {
                            let response = try await publisher.publish(request)
                            if response.messageIds.count != perRequest { failures += 1 }
                        } catch {
                            failures += 1
                        }
                        latencies.append((ContinuousClock.now - begin).seconds * 1000)
                    }
                    return (latencies, failures)
                }
            }
            return try await group.reduce(into: ([Double](), 0)) { $0.0 += $1.0; $0.1 += $1.1 }
        }
        let elapsed = (ContinuousClock.now - started).seconds
        let sorted = results.0.sorted()
        let percentile = { (p: Double) in sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return (Double(requests * perRequest) / elapsed, percentile(0.5), percentile(0.99), results.1)
    }

    /// Receives and acknowledges `count` messages over one StreamingPull stream (acks on the
    /// stream, `max_outstanding_messages` 1000, as Google's clients default to); messages per second.
    static func streamingPull(_ subscriber: Google_Pubsub_V1_Subscriber.Client<Transport>, subscription: String, count: Int) async throws -> Double {
        let (acks, continuation) = AsyncStream.makeStream(of: Google_Pubsub_V1_StreamingPullRequest.self)
        var first = Google_Pubsub_V1_StreamingPullRequest()
        first.subscription = subscription
        first.streamAckDeadlineSeconds = 60
        first.maxOutstandingMessages = 1000
        continuation.yield(first)
        let started = ContinuousClock.now
        try await subscriber.streamingPull(requestProducer: { writer in
            for await request in acks { try await writer.write(request) }
        }, onResponse: { response in
            var received = 0
            for try await message in response.messages {
                var ack = Google_Pubsub_V1_StreamingPullRequest()
                ack.ackIds = message.receivedMessages.map(\.ackID)
                continuation.yield(ack)
                received += message.receivedMessages.count
                if received >= count { break }
            }
            continuation.finish()
        })
        return Double(count) / (ContinuousClock.now - started).seconds
    }

    /// Receives and acknowledges `count` messages with REST `:pull` (`maxMessages` 1000) and
    /// `:acknowledge`, `workers` loops at once; messages per second.
    static func restPull(_ client: HTTPClient, base: String, subscription: String, count: Int, workers: Int) async throws -> Double {
        let acknowledged = RequestCounter()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    while acknowledged.value.load(ordering: .relaxed) < count {
                        let pulled = try await client.execute(post("\(base)/v1/\(subscription):pull", #"{"maxMessages":1000}"#))
                        let object = try JSONSerialization.jsonObject(with: pulled.body) as? [String: Any]
                        let ids = (object?["receivedMessages"] as? [[String: Any]] ?? []).compactMap { $0["ackId"] as? String }
                        guard !ids.isEmpty else { continue }
                        let body = try JSONSerialization.data(withJSONObject: ["ackIds": ids])
                        let acked = try await client.execute(.init(method: "POST", url: "\(base)/v1/\(subscription):acknowledge",
                                                                   headers: [("Content-Type", "application/json")], body: body))
                        guard acked.status == 200 else { fatalError("acknowledge failed: \(acked.status)") }
                        acknowledged.value.add(ids.count, ordering: .relaxed)
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(count) / (ContinuousClock.now - started).seconds
    }
}
