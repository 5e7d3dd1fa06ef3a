import Foundation
import GoogleAPIsGRPC
import GoogleCloud
import GRPCCore
import ServiceLifecycle
import Synchronization

/// `Listen`, the stream behind the client libraries' `on_snapshot`/`onSnapshot`. For each
/// target added: `ADD`, a `DocumentChange` per document, `CURRENT`, then a stream-wide
/// `NO_CHANGE` with the read time, which the clients take as "this snapshot is consistent".
/// After every commit to the store each target is looked at again, and whatever changed is
/// sent followed by another `NO_CHANGE`. A resumed target is sent whole after a `RESET`: the
/// emulator keeps no history to resume from.
extension FirestoreService {
    /// What the stream reacts to, from the two tasks feeding it.
    private enum ListenEvent: Sendable {
        case request(Google_Firestore_V1_ListenRequest)
        case storeChanged
        case ended
        case failed(any Error)
    }

    /// Longest a listener goes without looking at its targets when no commit signals a change.
    static let listenRecheck = Duration.seconds(10)

    func listen(request: RPCAsyncSequence<Google_Firestore_V1_ListenRequest, any Error>, response: RPCWriter<Google_Firestore_V1_ListenResponse>,
                context: ServerContext) async throws {
        try await rpc {
            let (events, continuation) = AsyncStream.makeStream(of: ListenEvent.self)
            // At most one change is queued: a listener that falls behind looks at its targets once
            // when it catches up, not once per commit it missed.
            let changeQueued = PendingFlag()
            try await withGracefulShutdownHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do {
                            for try await message in request { continuation.yield(.request(message)) }
                            continuation.yield(.ended)
                        } catch {
                            continuation.yield(.failed(error))
                        }
                    }
                    group.addTask { [changes = store.changes] in
                        var seen = changes.generation
                        while !Task.isCancelled {
                            await changes.wait(after: seen, timeout: Self.listenRecheck)
                            seen = changes.generation
                            if changeQueued.raise() { continuation.yield(.storeChanged) }
                        }
                    }
                    defer { group.cancelAll() }
                    var targets: [Int32: FirestoreListenTarget] = [:]
                    for await event in events {
                        switch event {
                        case .request(let message):
                            _ = try DocumentName.root(database: message.database, field: "database")
                            try await handle(message, targets: &targets, response: response)
                        case .storeChanged:
                            changeQueued.lower()
                            try await sendChanges(&targets, response: response)
                        case .ended:
                            return
                        case .failed(let error):
                            throw error
                        }
                    }
                }
            } onGracefulShutdown: {
                // As Firestore ends its streams when a server goes away: the client reconnects.
                continuation.yield(.failed(RPCError(code: .unavailable, message: "The emulator is shutting down.")))
            }
        }
    }

    /// Adds or removes a target, answering as Firestore does.
    private func handle(_ message: Google_Firestore_V1_ListenRequest, targets: inout [Int32: FirestoreListenTarget],
                        response: RPCWriter<Google_Firestore_V1_ListenResponse>) async throws {
        switch message.targetChange {
        case .addTarget(let added)?:
            guard targets[added.targetID] == nil else {
                throw GoogleAPIError.invalidArgument("addTarget: target \(added.targetID) is already being listened to.")
            }
            var target = try FirestoreListenTarget(added)
            let (changes, readTime) = try await target.changes(in: store)
            var responses = [FirestoreListenTarget.targetChange(.add, [target.id])]
            // A resumed target is sent whole: RESET tells the client to drop what it holds.
            if added.resumeType != nil { responses.append(FirestoreListenTarget.targetChange(.reset, [target.id])) }
            responses += changes
            responses.append(FirestoreListenTarget.targetChange(.current, [target.id], readTime: readTime))
            responses.append(FirestoreListenTarget.targetChange(.noChange, [], readTime: readTime))
            if target.once {
                responses.append(FirestoreListenTarget.targetChange(.remove, [target.id]))
            } else {
                targets[target.id] = target
            }
            try await response.write(contentsOf: responses)
        case .removeTarget(let id)?:
            guard targets.removeValue(forKey: id) != nil else {
                throw GoogleAPIError.invalidArgument("removeTarget: no target \(id) is being listened to.")
            }
            try await response.write(FirestoreListenTarget.targetChange(.remove, [id]))
        case nil:
            throw GoogleAPIError.invalidArgument("A ListenRequest must have addTarget or removeTarget.")
        }
    }

    /// Sends what changed in any target since it was last looked at, then one `NO_CHANGE`.
    private func sendChanges(_ targets: inout [Int32: FirestoreListenTarget], response: RPCWriter<Google_Firestore_V1_ListenResponse>) async throws {
        var responses: [Google_Firestore_V1_ListenResponse] = []
        var latest: GoogleTimestamp?
        for id in targets.keys.sorted() {
            let (changes, readTime) = try await targets[id]!.changes(in: store)
            responses += changes
            latest = max(latest ?? readTime, readTime)
        }
        guard !responses.isEmpty, let latest else { return }
        responses.append(FirestoreListenTarget.targetChange(.noChange, [], readTime: latest))
        try await response.write(contentsOf: responses)
    }
}

/// A flag shared by the task that queues a listener's changes and the loop that handles them.
private final class PendingFlag: Sendable {
    private let raised = Mutex(false)

    /// Raises the flag; true when it was down (the caller queues the change).
    func raise() -> Bool {
        raised.withLock { raised in
            defer { raised = true }
            return !raised
        }
    }

    func lower() { raised.withLock { $0 = false } }
}
