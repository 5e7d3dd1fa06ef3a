import Foundation
import GoogleAPIsGRPC
import GoogleCloud
import GRPCCore
import ServiceLifecycle
import Synchronization

/// One `StreamingPull` stream, as Google documents it. The first request names the subscription
/// and the stream's ack deadline (10–600 s), and may cap what the stream holds
/// (`max_outstanding_messages`, `max_outstanding_bytes`); every request may acknowledge, modify
/// deadlines (0 is a nack) and change the stream's deadline. Messages go out as they become due,
/// leased through the same `PubSubStore.lease` as REST and unary `Pull`.
///
/// Flow control counts the messages leased to this stream that the store still holds leased to
/// that attempt (`stillLeased`), so an ack by unary `Acknowledge` (which Google's clients use), by
/// REST, or on the stream itself frees room alike, and so does a lapsed deadline.
///
/// The delivery loop sleeps on the store's `WorkSignal` (publish, ack, nack, seek notify it), with
/// a timeout at the next moment a lease ends, never polling. When the stream ends its leases stay
/// as they are: their messages are delivered again once their deadline passes, as in Pub/Sub.
/// On graceful shutdown of the emulator a stream ends with `UNAVAILABLE`, which clients answer by
/// reconnecting.
final class StreamingPullSession: Sendable {
    private let store: PubSubStore
    private let subscription: String
    private let messageOrdering: Bool
    private let state: Mutex<State>

    /// The longest the delivery loop sleeps without a signal: a subscription deleted or detached
    /// meanwhile ends the stream within this.
    static let longestWait = Duration.seconds(5)
    /// The most bytes one response carries, well under gRPC clients' default 4 MiB receive limit
    /// (a single larger message still goes out alone).
    static let responseBytes = 3 << 20

    private struct State {
        var ackDeadlineSeconds: Int
        /// 0: no limit.
        var maxMessages: Int
        var maxBytes: Int
        var outstanding: [Int64: Lease] = [:]
        var outstandingBytes = 0
        var shuttingDown = false

        mutating func remove(_ messageID: Int64) {
            if let lease = outstanding.removeValue(forKey: messageID) { outstandingBytes -= lease.size }
        }
    }

    private struct Lease {
        var attempt: Int
        var size: Int
        var endMicroseconds: Int64
    }

    private init(store: PubSubStore, subscription: String, messageOrdering: Bool, first: Google_Pubsub_V1_StreamingPullRequest) {
        self.store = store
        self.subscription = subscription
        self.messageOrdering = messageOrdering
        self.state = Mutex(State(
            ackDeadlineSeconds: Int(first.streamAckDeadlineSeconds),
            maxMessages: Int(max(0, first.maxOutstandingMessages)),
            maxBytes: Int(max(0, first.maxOutstandingBytes))
        ))
    }

    /// Serves one stream until the client closes its side, the subscription goes, or the emulator
    /// shuts down.
    static func serve(
        store: PubSubStore,
        requests: RPCAsyncSequence<Google_Pubsub_V1_StreamingPullRequest, any Error>,
        responses: RPCWriter<Google_Pubsub_V1_StreamingPullResponse>
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Made here, the iterator can move to the reading task once the first request is read.
            var iterator = requests.makeAsyncIterator()
            guard let first = try await iterator.next() else { return }
            guard !first.subscription.isEmpty else {
                throw GoogleAPIError.invalidArgument("The subscription of the first StreamingPullRequest is required.")
            }
            let name = try PubSubName.parse(first.subscription, kind: "subscriptions")
            guard (10...600).contains(first.streamAckDeadlineSeconds) else {
                throw GoogleAPIError.invalidArgument("Invalid stream_ack_deadline_seconds \(first.streamAckDeadlineSeconds); it must be between 10 and 600.")
            }
            let subscription = try await store.subscription(name: name)
            let session = StreamingPullSession(store: store, subscription: name, messageOrdering: subscription.enableMessageOrdering == true, first: first)
            try await session.apply(first)
            group.addTask { [iterator] in
                var iterator = iterator
                while let request = try await iterator.next() { try await session.apply(request) }
            }
            group.addTask {
                try await withGracefulShutdownHandler {
                    try await session.deliver(to: responses)
                } onGracefulShutdown: {
                    session.shutDown()
                }
            }
            // The client closing its side ends the stream (OK); an error on either side ends it
            // with that error.
            try await group.next()
            group.cancelAll()
        }
    }

    /// Acknowledgements, deadline changes and a new stream deadline, in that order.
    func apply(_ request: Google_Pubsub_V1_StreamingPullRequest) async throws {
        if !request.subscription.isEmpty, (try? PubSubName.parse(request.subscription, kind: "subscriptions")) != subscription {
            throw GoogleAPIError.invalidArgument("A StreamingPullRequest names subscription \(request.subscription), not the stream's \(subscription).")
        }
        guard request.modifyDeadlineAckIds.count == request.modifyDeadlineSeconds.count else {
            throw GoogleAPIError.invalidArgument("modify_deadline_ack_ids and modify_deadline_seconds must have the same length (\(request.modifyDeadlineAckIds.count) and \(request.modifyDeadlineSeconds.count)).")
        }
        if request.streamAckDeadlineSeconds != 0 {
            guard (10...600).contains(request.streamAckDeadlineSeconds) else {
                throw GoogleAPIError.invalidArgument("Invalid stream_ack_deadline_seconds \(request.streamAckDeadlineSeconds); it must be between 10 and 600.")
            }
        }
        if !request.ackIds.isEmpty {
            let acked = try AckID.parse(request.ackIds)
            try await store.acknowledge(subscription: subscription, ackIDs: acked)
            state.withLock { state in for ackID in acked { state.remove(ackID.messageID) } }
        }
        if !request.modifyDeadlineAckIds.isEmpty {
            let ackIDs = try AckID.parse(request.modifyDeadlineAckIds)
            let bySeconds = Dictionary(grouping: zip(ackIDs, request.modifyDeadlineSeconds.map(Int.init)), by: { $0.1 })
            for (seconds, pairs) in bySeconds.sorted(by: { $0.key < $1.key }) {
                try await store.modifyAckDeadline(subscription: subscription, ackIDs: pairs.map(\.0), seconds: seconds)
                let end = GoogleTimestamp.now().microseconds + Int64(seconds) * 1_000_000
                state.withLock { state in
                    for (ackID, _) in pairs {
                        if seconds == 0 { state.remove(ackID.messageID) } else { state.outstanding[ackID.messageID]?.endMicroseconds = end }
                    }
                }
            }
        }
        if request.streamAckDeadlineSeconds != 0 {
            state.withLock { $0.ackDeadlineSeconds = Int(request.streamAckDeadlineSeconds) }
        }
    }

    /// Ends the delivery loop with `UNAVAILABLE` at its next turn.
    func shutDown() {
        state.withLock { $0.shuttingDown = true }
        store.store.workSignal.notify()
    }

    /// Leases what is due within the flow-control limits and writes it, then sleeps until the store
    /// signals or the next lease ends; forever, until cancelled or an error.
    private func deliver(to responses: RPCWriter<Google_Pubsub_V1_StreamingPullResponse>) async throws {
        let signal = store.store.workSignal
        var properties = Google_Pubsub_V1_StreamingPullResponse.SubscriptionProperties()
        properties.messageOrderingEnabled = messageOrdering
        while true {
            try Task.checkCancellation()
            // The generation first: a shutdown (or any notification) after this read ends the
            // wait below at once, one before it is seen by the check that follows.
            let seen = signal.generation
            if state.withLock({ $0.shuttingDown }) {
                throw RPCError(code: .unavailable, message: "The emulator is shutting down; reconnect to go on pulling.")
            }
            try await reconcile()
            let (room, byteRoom, deadline, nothingOutstanding) = state.withLock { state in
                (state.maxMessages == 0 ? 1000 : min(1000, state.maxMessages - state.outstanding.count),
                 state.maxBytes == 0 ? nil : state.maxBytes - state.outstandingBytes,
                 state.ackDeadlineSeconds, state.outstanding.isEmpty)
            }
            var limited = room <= 0 || (byteRoom ?? 1) <= 0
            if !limited {
                let batch = try await store.lease(subscription: subscription, maxMessages: room, ackDeadlineSeconds: deadline,
                                                  byteBudget: min(byteRoom ?? .max, Self.responseBytes), oversizedFirst: nothingOutstanding || byteRoom == nil)
                if !batch.messages.isEmpty {
                    state.withLock { state in
                        for message in batch.messages {
                            // A lease that lapsed and was taken again replaces its old entry: count its bytes once.
                            let lease = Lease(attempt: message.ackID.attempt, size: message.size, endMicroseconds: message.leaseEndMicroseconds)
                            if let old = state.outstanding.updateValue(lease, forKey: message.ackID.messageID) { state.outstandingBytes -= old.size }
                            state.outstandingBytes += message.size
                        }
                    }
                    properties.exactlyOnceDeliveryEnabled = batch.exactlyOnceDelivery
                    var response = Google_Pubsub_V1_StreamingPullResponse()
                    response.receivedMessages = batch.messages.map(Google_Pubsub_V1_ReceivedMessage.init)
                    response.subscriptionProperties = properties
                    try await responses.write(response)
                    continue
                }
                // Nothing fitted the byte budget, or nothing is due: either way wait for a signal.
                limited = byteRoom != nil
            }
            try await sleep(after: seen, limited: limited)
        }
    }

    /// Drops the leases the store no longer holds for this stream, and takes extended deadlines.
    private func reconcile() async throws {
        let leases = state.withLock { state in state.outstanding.map { AckID(messageID: $0.key, attempt: $0.value.attempt) } }
        guard !leases.isEmpty else { return }
        let held = try await store.stillLeased(subscription: subscription, leases)
        state.withLock { state in
            for ackID in leases {
                if let end = held[ackID.messageID] { state.outstanding[ackID.messageID]?.endMicroseconds = end } else { state.remove(ackID.messageID) }
            }
        }
    }

    /// Waits for the work signal, or until the earliest of this stream's leases ends (room frees
    /// up) and, unless flow control holds the stream back, the subscription's next message is due.
    private func sleep(after seen: UInt64, limited: Bool) async throws {
        let now = GoogleTimestamp.now().microseconds
        var wake = state.withLock { $0.outstanding.values.map(\.endMicroseconds).min() } ?? Int64.max
        if !limited, let due = try await store.nextDuePush(subscription: subscription, ordered: messageOrdering) {
            wake = min(wake, due)
        }
        let longest = Self.longestWait.components.seconds * 1_000_000
        let timeout = Duration.microseconds(max(2_000, min(wake == .max ? longest : wake - now, longest)))
        await store.store.workSignal.wait(after: seen, timeout: timeout)
    }
}
