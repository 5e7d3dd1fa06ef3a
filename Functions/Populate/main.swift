import Foundation
import Runtime

/// Populate: receives shard messages by Pub/Sub push and creates one task per image.
/// Task creation is built in the pipeline issue; until then the message is decoded and declined.
struct PopulateFunction: PubSubFunction {
    func handle(_ push: PubSubPush<Data>, context: InvocationContext) async throws {
        throw InvocationError.notImplemented("populate does not create tasks yet (message \(push.message.messageID) was not processed)")
    }
}

await FunctionMain.run(name: "populate") { _, _ in
    FunctionDefinition(name: "populate", pubSubPush: PopulateFunction())
}
