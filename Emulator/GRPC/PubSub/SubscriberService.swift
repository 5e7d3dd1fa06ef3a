import Foundation
import GoogleAPIsGRPC
import GoogleCloud
import GRPCCore
import SwiftProtobuf

/// `google.pubsub.v1.Subscriber` over the same `PubSubStore` and checks as the REST routes:
/// a pull, an ack or a nack on one transport is the same store call as on the other, so a
/// message leased over gRPC and acknowledged over REST (or the reverse) is simply acknowledged.
/// `StreamingPull` lives in `StreamingPullSession`.
struct SubscriberService: Google_Pubsub_V1_Subscriber.SimpleServiceProtocol {
    let store: PubSubStore

    func createSubscription(request: Google_Pubsub_V1_Subscription, context: ServerContext) async throws -> Google_Pubsub_V1_Subscription {
        try await rpc {
            let name = try PubSubName.parse(request.name, kind: "subscriptions")
            let subscription = try await store.createSubscription(name: name, body: try ProtoJSON.decode(PubSubSubscription.self, from: request))
            return try ProtoJSON.message(Google_Pubsub_V1_Subscription.self, from: subscription)
        }
    }

    func getSubscription(request: Google_Pubsub_V1_GetSubscriptionRequest, context: ServerContext) async throws -> Google_Pubsub_V1_Subscription {
        try await rpc {
            let subscription = try await store.subscription(name: try PubSubName.parse(request.subscription, kind: "subscriptions"))
            return try ProtoJSON.message(Google_Pubsub_V1_Subscription.self, from: subscription)
        }
    }

    func updateSubscription(request: Google_Pubsub_V1_UpdateSubscriptionRequest, context: ServerContext) async throws -> Google_Pubsub_V1_Subscription {
        try await rpc {
            let name = try PubSubName.parse(request.subscription.name, kind: "subscriptions")
            let body = try ProtoJSON.decode(UpdateSubscriptionRequest.self, from: request)
            let subscription = try await store.updateSubscription(name: name, patch: body.subscription, mask: UpdateMask([body.updateMask ?? ""]))
            return try ProtoJSON.message(Google_Pubsub_V1_Subscription.self, from: subscription)
        }
    }

    func listSubscriptions(request: Google_Pubsub_V1_ListSubscriptionsRequest, context: ServerContext) async throws -> Google_Pubsub_V1_ListSubscriptionsResponse {
        try await rpc {
            let page = try await store.listSubscriptions(
                project: try PubSubName.project(request.project),
                pageSize: try PageToken.size(Int(request.pageSize), fallback: 100, maximum: 1000),
                after: try PageToken.key(from: request.pageToken)
            )
            var response = Google_Pubsub_V1_ListSubscriptionsResponse()
            response.subscriptions = try page.subscriptions.map { try ProtoJSON.message(Google_Pubsub_V1_Subscription.self, from: $0) }
            response.nextPageToken = page.next.map(PageToken.make(after:)) ?? ""
            return response
        }
    }

    func deleteSubscription(request: Google_Pubsub_V1_DeleteSubscriptionRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        try await rpc {
            try await store.deleteSubscription(name: try PubSubName.parse(request.subscription, kind: "subscriptions"))
            return Google_Protobuf_Empty()
        }
    }

    func modifyAckDeadline(request: Google_Pubsub_V1_ModifyAckDeadlineRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        try await rpc {
            let name = try PubSubName.parse(request.subscription, kind: "subscriptions")
            try await store.modifyAckDeadline(subscription: name, ackIDs: try AckID.parse(request.ackIds), seconds: Int(request.ackDeadlineSeconds))
            return Google_Protobuf_Empty()
        }
    }

    func acknowledge(request: Google_Pubsub_V1_AcknowledgeRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        try await rpc {
            let name = try PubSubName.parse(request.subscription, kind: "subscriptions")
            try await store.acknowledge(subscription: name, ackIDs: try AckID.parse(request.ackIds))
            return Google_Protobuf_Empty()
        }
    }

    /// Answers at once, as REST `:pull` does, whatever `return_immediately` says: clients
    /// that want to wait use `StreamingPull`.
    func pull(request: Google_Pubsub_V1_PullRequest, context: ServerContext) async throws -> Google_Pubsub_V1_PullResponse {
        try await rpc {
            let name = try PubSubName.parse(request.subscription, kind: "subscriptions")
            let batch = try await store.pull(subscription: name, requested: Int(request.maxMessages))
            var response = Google_Pubsub_V1_PullResponse()
            response.receivedMessages = batch.messages.map(Google_Pubsub_V1_ReceivedMessage.init)
            return response
        }
    }

    func streamingPull(
        request: RPCAsyncSequence<Google_Pubsub_V1_StreamingPullRequest, any Error>,
        response: RPCWriter<Google_Pubsub_V1_StreamingPullResponse>,
        context: ServerContext
    ) async throws {
        try await rpc { try await StreamingPullSession.serve(store: store, requests: request, responses: response) }
    }

    func modifyPushConfig(request: Google_Pubsub_V1_ModifyPushConfigRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        try await rpc {
            let name = try PubSubName.parse(request.subscription, kind: "subscriptions")
            let body = try ProtoJSON.decode(ModifyPushConfigRequest.self, from: request)
            try await store.modifyPushConfig(subscription: name, pushConfig: body.pushConfig)
            return Google_Protobuf_Empty()
        }
    }

    func getSnapshot(request: Google_Pubsub_V1_GetSnapshotRequest, context: ServerContext) async throws -> Google_Pubsub_V1_Snapshot {
        try await rpc {
            let snapshot = try await store.snapshot(name: try PubSubName.parse(request.snapshot, kind: "snapshots"))
            return try ProtoJSON.message(Google_Pubsub_V1_Snapshot.self, from: snapshot)
        }
    }

    func listSnapshots(request: Google_Pubsub_V1_ListSnapshotsRequest, context: ServerContext) async throws -> Google_Pubsub_V1_ListSnapshotsResponse {
        try await rpc {
            let page = try await store.listSnapshots(
                project: try PubSubName.project(request.project),
                pageSize: try PageToken.size(Int(request.pageSize), fallback: 100, maximum: 1000),
                after: try PageToken.key(from: request.pageToken)
            )
            var response = Google_Pubsub_V1_ListSnapshotsResponse()
            response.snapshots = try page.snapshots.map { try ProtoJSON.message(Google_Pubsub_V1_Snapshot.self, from: $0) }
            response.nextPageToken = page.next.map(PageToken.make(after:)) ?? ""
            return response
        }
    }

    func createSnapshot(request: Google_Pubsub_V1_CreateSnapshotRequest, context: ServerContext) async throws -> Google_Pubsub_V1_Snapshot {
        try await rpc {
            let name = try PubSubName.parse(request.name, kind: "snapshots")
            let snapshot = try await store.createSnapshot(name: name, try ProtoJSON.decode(CreateSnapshotRequest.self, from: request))
            return try ProtoJSON.message(Google_Pubsub_V1_Snapshot.self, from: snapshot)
        }
    }

    func updateSnapshot(request: Google_Pubsub_V1_UpdateSnapshotRequest, context: ServerContext) async throws -> Google_Pubsub_V1_Snapshot {
        try await rpc {
            let name = try PubSubName.parse(request.snapshot.name, kind: "snapshots")
            let body = try ProtoJSON.decode(UpdateSnapshotRequest.self, from: request)
            let snapshot = try await store.updateSnapshot(name: name, patch: body.snapshot, mask: UpdateMask([body.updateMask ?? ""]))
            return try ProtoJSON.message(Google_Pubsub_V1_Snapshot.self, from: snapshot)
        }
    }

    func deleteSnapshot(request: Google_Pubsub_V1_DeleteSnapshotRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        try await rpc {
            try await store.deleteSnapshot(name: try PubSubName.parse(request.snapshot, kind: "snapshots"))
            return Google_Protobuf_Empty()
        }
    }

    func seek(request: Google_Pubsub_V1_SeekRequest, context: ServerContext) async throws -> Google_Pubsub_V1_SeekResponse {
        try await rpc {
            let name = try PubSubName.parse(request.subscription, kind: "subscriptions")
            try await store.seek(subscription: name, try ProtoJSON.decode(SeekRequest.self, from: request))
            return Google_Pubsub_V1_SeekResponse()
        }
    }
}
