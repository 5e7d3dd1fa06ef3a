import Foundation
import GoogleAPIsGRPC
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import SwiftProtobuf
import Synchronization
import Testing
import TestSupport

@testable import Emulator

/// StreamingPull through the generated Swift client: flow control, acks and nacks on the stream
/// and by unary calls, and one message seen the same way over REST and gRPC.
@Suite("Pub/Sub over gRPC: StreamingPull")
struct PubSubStreamingPullTests {
    static let topic = "projects/demo/topics/stream"
    static let subscription = "projects/demo/subscriptions/stream"

    @Test("max_outstanding_messages=3 holds the stream at 3 until acks (unary or on the stream) or a nack free room", .timeLimit(.minutes(1)))
    func flowControlByCount() async throws {
        try await TestEmulator.run { emulator in
            try await Self.setUp(emulator)
            try await Self.publish(emulator, (0..<10).map { "m\($0)" })
            try await Self.withSubscriber(emulator) { subscriber in
                try await StreamProbe.run(subscriber, first: Self.firstRequest(maxMessages: 3)) { stream in
                    try await stream.waitFor("3 messages") { $0.count == 3 }
                    // A negative can only be shown by waiting: nothing more may come while 3 are outstanding.
                    try await Task.sleep(for: .milliseconds(600))
                    #expect(stream.messages.count == 3)

                    // Two acks by unary Acknowledge (as Google's clients send them) free two places.
                    let first = stream.messages
                    var ack = Google_Pubsub_V1_AcknowledgeRequest()
                    ack.subscription = Self.subscription
                    ack.ackIds = first.prefix(2).map(\.ackID)
                    _ = try await subscriber.acknowledge(ack)
                    try await stream.waitFor("5 messages") { $0.count == 5 }
                    try await Task.sleep(for: .milliseconds(400))
                    #expect(stream.messages.count == 5)

                    // A nack (deadline 0) on the stream frees a place too; the nacked message is due
                    // again at once, behind those published before it that were waiting.
                    var nack = Google_Pubsub_V1_StreamingPullRequest()
                    nack.modifyDeadlineAckIds = [first[2].ackID]
                    nack.modifyDeadlineSeconds = [0]
                    stream.send(nack)
                    try await stream.waitFor("a sixth message") { $0.count == 6 }

                    // Acks on the stream itself drain the rest; never more than 3 unacknowledged.
                    var acked = Set(first.prefix(2).map(\.ackID))
                    let stale = first[2].ackID
                    while true {
                        let current = stream.messages.filter { $0.ackID != stale }
                        let unacked = current.filter { !acked.contains($0.ackID) }
                        #expect(unacked.count <= 3, "\(unacked.count) outstanding")
                        let allDelivered = Set(current.map(\.message.messageID)).count == 10
                        if unacked.isEmpty && allDelivered { break }
                        var request = Google_Pubsub_V1_StreamingPullRequest()
                        request.ackIds = unacked.map(\.ackID)
                        stream.send(request)
                        acked.formUnion(request.ackIds)
                        if !allDelivered { try await stream.waitFor("more messages") { $0.count > current.count + 1 } }
                    }
                    #expect(Set(stream.messages.map { String(decoding: $0.message.data, as: UTF8.self) }) == Set((0..<10).map { "m\($0)" }))
                    let again = try #require(stream.messages.last { $0.message.messageID == first[2].message.messageID && $0.ackID != first[2].ackID })
                    #expect(again.ackID.hasSuffix("-2"), "the redelivery is the second attempt: \(again.ackID)")
                }
            }
            try await DeliveryHarness.eventually(timeout: .seconds(10), "the backlog to be empty") {
                try await PubSubStore(store: emulator.store).subscriptionStats().first { $0.subscription == Self.subscription }?.backlog == 0
            }
        }
    }

    @Test("max_outstanding_bytes lets through what fits, and one message at a time when one alone is larger", .timeLimit(.minutes(1)))
    func flowControlByBytes() async throws {
        try await TestEmulator.run { emulator in
            try await Self.setUp(emulator)
            try await Self.publish(emulator, (0..<4).map { _ in String(repeating: "x", count: 100) } + [String(repeating: "y", count: 500)])
            try await Self.withSubscriber(emulator) { subscriber in
                var first = Self.firstRequest(maxMessages: 0)
                first.maxOutstandingBytes = 250
                try await StreamProbe.run(subscriber, first: first) { stream in
                    try await stream.waitFor("2 messages of 100 bytes") { $0.count == 2 }
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(stream.messages.count == 2)
                    var ack = Google_Pubsub_V1_StreamingPullRequest()
                    ack.ackIds = stream.messages.map(\.ackID)
                    stream.send(ack)
                    try await stream.waitFor("the next 2") { $0.count == 4 }
                    ack.ackIds = stream.messages.suffix(2).map(\.ackID)
                    stream.send(ack)
                    // 500 bytes exceed the budget, but nothing else is outstanding.
                    try await stream.waitFor("the large message") { $0.count == 5 }
                    #expect(stream.messages.last?.message.data.count == 500)
                }
            }
        }
    }

    @Test("published over REST, received over StreamingPull, nacked and acked on the stream: REST pull sees nothing; leased over REST, acked over gRPC", .timeLimit(.minutes(1)))
    func oneMessageOnBothTransports() async throws {
        try await TestEmulator.run { emulator in
            try await Self.setUp(emulator)
            let published = try await emulator.send("POST", "/v1/\(Self.topic):publish", json: #"""
                {"messages":[{"data":"\#(Data("hello".utf8).base64EncodedString())","attributes":{"k":"v"}}]}
                """#)
            let id = try #require((published.json["messageIds"] as? [String])?.first)
            try await Self.withSubscriber(emulator) { subscriber in
                try await StreamProbe.run(subscriber, first: Self.firstRequest(maxMessages: 10)) { stream in
                    try await stream.waitFor("the message") { $0.count == 1 }
                    let received = stream.messages[0]
                    #expect(received.message.messageID == id)
                    #expect(received.message.data == Data("hello".utf8))
                    #expect(received.message.attributes == ["k": "v"])
                    #expect(received.message.publishTime.seconds > 0)
                    #expect(received.deliveryAttempt == 0, "no dead-letter policy, so no delivery attempt")
                    // A nack on the stream: the message comes back long before the stream's 60 s
                    // deadline could have brought it (10 s allows for a loaded machine).
                    var nack = Google_Pubsub_V1_StreamingPullRequest()
                    nack.modifyDeadlineAckIds = [received.ackID]
                    nack.modifyDeadlineSeconds = [0]
                    stream.send(nack)
                    try await stream.waitFor("the nacked message again") { $0.count == 2 }
                    let again = stream.messages[1]
                    #expect(again.message.messageID == id)
                    #expect(again.ackID != received.ackID)
                    var ack = Google_Pubsub_V1_StreamingPullRequest()
                    ack.ackIds = [again.ackID]
                    stream.send(ack)
                    try await DeliveryHarness.eventually(timeout: .seconds(10), "the ack to land") {
                        try await PubSubStore(store: emulator.store).subscriptionStats().first { $0.subscription == Self.subscription }?.backlog == 0
                    }
                }
                let pulled = try await emulator.send("POST", "/v1/\(Self.subscription):pull", json: #"{"maxMessages":10}"#)
                #expect(pulled.status == 200)
                #expect(pulled.json["receivedMessages"] == nil, "\(pulled.text)")

                // The other way round: leased by REST pull, acknowledged by gRPC.
                try await Self.publish(emulator, ["second"])
                let leased = try await emulator.send("POST", "/v1/\(Self.subscription):pull", json: #"{"maxMessages":10}"#)
                let ackID = try #require(leased.json.value(at: "receivedMessages[0].ackId") as? String)
                var ack = Google_Pubsub_V1_AcknowledgeRequest()
                ack.subscription = Self.subscription
                ack.ackIds = [ackID]
                _ = try await subscriber.acknowledge(ack)
                var pull = Google_Pubsub_V1_PullRequest()
                pull.subscription = Self.subscription
                pull.maxMessages = 10
                #expect(try await subscriber.pull(pull).receivedMessages.isEmpty)
                #expect(try await PubSubStore(store: emulator.store).subscriptionStats().first { $0.subscription == Self.subscription }?.backlog == 0)
            }
        }
    }

    @Test("errors: an ack deadline out of range and a missing subscription end the stream with Google's codes", .timeLimit(.minutes(1)))
    func errors() async throws {
        try await TestEmulator.run { emulator in
            try await Self.setUp(emulator)
            try await Self.withSubscriber(emulator) { subscriber in
                var bad = Self.firstRequest(maxMessages: 1)
                bad.streamAckDeadlineSeconds = 5
                await Self.expectStreamError(.invalidArgument, subscriber, first: bad)
                var missing = Self.firstRequest(maxMessages: 1)
                missing.subscription = "projects/demo/subscriptions/missing"
                await Self.expectStreamError(.notFound, subscriber, first: missing)
            }
        }
    }

    // It hung now and then (about one run in four) before the shared port closed connections
    // that had not chosen their protocol when the emulator stops; eleven runs in a row passed
    // after that change, though the hang's cause was never shown directly.
    @Test("graceful shutdown of the emulator ends an open stream with UNAVAILABLE", .timeLimit(.minutes(1)))
    func shutdownEndsStreamsUnavailable() async throws {
        let outcome = StreamOutcome()
        let shutdownStarted = try await TestEmulator.run { emulator in
            try await Self.setUp(emulator)
            try await Self.publish(emulator, ["one"])
            let stream = Task {
                do {
                    try await Self.withSubscriber(emulator) { subscriber in
                        try await StreamProbe.run(subscriber, first: Self.firstRequest(maxMessages: 10)) { stream in
                            try await stream.waitFor("the message") { $0.count == 1 }
                            outcome.opened.withLock { $0 = true }
                            try await Task.sleep(for: .seconds(50))
                        }
                    }
                } catch let error as RPCError {
                    outcome.code.withLock { $0 = error.code }
                }
            }
            try await DeliveryHarness.eventually(timeout: .seconds(10), "the stream to deliver") { outcome.opened.withLock { $0 } }
            // Returning shuts the emulator down gracefully while the stream is open.
            _ = stream
            return ContinuousClock.now
        }
        // Well within the emulator's 10 s shutdown limit, after which streams would be cancelled instead.
        #expect(ContinuousClock.now - shutdownStarted < .seconds(5))
        try await DeliveryHarness.eventually(timeout: .seconds(10), "the stream to end") { outcome.code.withLock { $0 } != nil }
        #expect(outcome.code.withLock { $0 } == .unavailable)
    }

    // MARK: Helpers

    static func expectStreamError(_ code: RPCError.Code, _ subscriber: Google_Pubsub_V1_Subscriber.Client<HTTP2ClientTransport.Posix>,
                                  first: Google_Pubsub_V1_StreamingPullRequest) async {
        do {
            try await StreamProbe.run(subscriber, first: first) { _ in try await Task.sleep(for: .seconds(30)) }
            Issue.record("the stream did not fail")
        } catch let error as RPCError {
            #expect(error.code == code, "\(error)")
        } catch {
            Issue.record("the stream failed with \(error), not an RPCError")
        }
    }

    static func setUp(_ emulator: TestEmulator) async throws {
        #expect(try await emulator.send("PUT", "/v1/\(topic)", json: "{}").status == 200)
        #expect(try await emulator.send("PUT", "/v1/\(subscription)", json: #"{"topic":"\#(topic)","ackDeadlineSeconds":30}"#).status == 200)
    }

    static func publish(_ emulator: TestEmulator, _ texts: [String]) async throws {
        let messages = texts.map { #"{"data":"\#(Data($0.utf8).base64EncodedString())"}"# }.joined(separator: ",")
        let response = try await emulator.send("POST", "/v1/\(topic):publish", json: #"{"messages":[\#(messages)]}"#)
        #expect(response.status == 200, "\(response.text)")
    }

    static func firstRequest(maxMessages: Int64) -> Google_Pubsub_V1_StreamingPullRequest {
        var request = Google_Pubsub_V1_StreamingPullRequest()
        request.subscription = subscription
        request.streamAckDeadlineSeconds = 60
        request.maxOutstandingMessages = maxMessages
        return request
    }

    static func withSubscriber<T: Sendable>(
        _ emulator: TestEmulator,
        _ body: (Google_Pubsub_V1_Subscriber.Client<HTTP2ClientTransport.Posix>) async throws -> T
    ) async throws -> T {
        let port = try #require(URLComponents(string: emulator.baseURL)?.port)
        let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
        return try await withGRPCClient(transport: transport) { client in
            try await body(Google_Pubsub_V1_Subscriber.Client(wrapping: client))
        }
    }
}

/// How the shutdown test's stream went.
final class StreamOutcome: Sendable {
    let opened = Mutex(false)
    let code = Mutex<RPCError.Code?>(nil)
}

/// One StreamingPull stream the test drives: requests go out through `send`, what arrives piles
/// up in `messages`, in order.
final class StreamProbe: Sendable {
    private let requests: AsyncStream<Google_Pubsub_V1_StreamingPullRequest>
    private let continuation: AsyncStream<Google_Pubsub_V1_StreamingPullRequest>.Continuation
    private let received = Mutex<[Google_Pubsub_V1_ReceivedMessage]>([])
    private let ended = Mutex(false)

    private init() {
        (requests, continuation) = AsyncStream.makeStream()
    }

    var messages: [Google_Pubsub_V1_ReceivedMessage] { received.withLock { $0 } }

    func send(_ request: Google_Pubsub_V1_StreamingPullRequest) { continuation.yield(request) }

    /// Waits until `condition` holds of what has arrived; fails if the stream ends first.
    func waitFor(_ what: String, timeout: Duration = .seconds(10), _ condition: @escaping ([Google_Pubsub_V1_ReceivedMessage]) -> Bool) async throws {
        try await DeliveryHarness.eventually(timeout: timeout, what) {
            if condition(messages) { return true }
            if ended.withLock({ $0 }) { throw TestFailure("the stream ended while waiting for \(what)") }
            return false
        }
    }

    /// Opens a stream with `first`, runs `body`, then closes the request side and waits for the end.
    static func run(
        _ subscriber: Google_Pubsub_V1_Subscriber.Client<HTTP2ClientTransport.Posix>,
        first: Google_Pubsub_V1_StreamingPullRequest,
        _ body: @escaping @Sendable (StreamProbe) async throws -> Void
    ) async throws {
        let probe = StreamProbe()
        probe.send(first)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { probe.ended.withLock { $0 = true } }
                try await subscriber.streamingPull(requestProducer: { writer in
                    for await request in probe.requests { try await writer.write(request) }
                }, onResponse: { response in
                    for try await message in response.messages {
                        probe.received.withLock { $0 += message.receivedMessages }
                    }
                })
            }
            group.addTask {
                try await body(probe)
                probe.continuation.finish()
            }
            // The first to finish: the body (then the stream ends cleanly), or the stream with an error.
            try await group.next()
            try await group.next()
        }
    }
}
