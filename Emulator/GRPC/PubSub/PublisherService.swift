import Foundation
import GoogleAPIsGRPC
import GoogleCloud
import GRPCCore
import SwiftProtobuf

/// `google.pubsub.v1.Publisher` over the same `PubSubStore`, checks and limits as the REST
/// routes (`PubSubRoutes`): resources go through their REST form (`ProtoJSON`), publishing is
/// converted by hand because it is the hot path.
struct PublisherService: Google_Pubsub_V1_Publisher.SimpleServiceProtocol {
    let store: PubSubStore

    func createTopic(request: Google_Pubsub_V1_Topic, context: ServerContext) async throws -> Google_Pubsub_V1_Topic {
        try await rpc {
            let name = try PubSubName.parse(request.name, kind: "topics")
            let topic = try await store.createTopic(name: name, body: try ProtoJSON.decode(PubSubTopic.self, from: request))
            return try ProtoJSON.message(Google_Pubsub_V1_Topic.self, from: topic)
        }
    }

    func updateTopic(request: Google_Pubsub_V1_UpdateTopicRequest, context: ServerContext) async throws -> Google_Pubsub_V1_Topic {
        try await rpc {
            let name = try PubSubName.parse(request.topic.name, kind: "topics")
            let body = try ProtoJSON.decode(UpdateTopicRequest.self, from: request)
            let topic = try await store.updateTopic(name: name, patch: body.topic, mask: UpdateMask([body.updateMask ?? ""]))
            return try ProtoJSON.message(Google_Pubsub_V1_Topic.self, from: topic)
        }
    }

    func publish(request: Google_Pubsub_V1_PublishRequest, context: ServerContext) async throws -> Google_Pubsub_V1_PublishResponse {
        try await rpc {
            let topic = try PubSubName.parse(request.topic, kind: "topics")
            let messages = request.messages.map { message in
                (data: message.data, attributes: message.attributes.isEmpty ? nil : message.attributes,
                 orderingKey: message.orderingKey.isEmpty ? nil : message.orderingKey)
            }
            // The transport takes up to the emulator's --max-request-bytes; Pub/Sub's own request
            // limit is checked here on the message's wire size.
            guard Self.wireSize(request) <= PubSubLimits.requestBytes else { throw PubSubLimits.payloadTooLarge(limit: PubSubLimits.requestBytes) }
            try PubSubLimits.checkPublish(messages)
            var response = Google_Pubsub_V1_PublishResponse()
            response.messageIds = try await store.publish(topic: topic, messages: messages)
            return response
        }
    }

    func getTopic(request: Google_Pubsub_V1_GetTopicRequest, context: ServerContext) async throws -> Google_Pubsub_V1_Topic {
        try await rpc {
            let topic = try await store.topic(name: try PubSubName.parse(request.topic, kind: "topics"))
            return try ProtoJSON.message(Google_Pubsub_V1_Topic.self, from: topic)
        }
    }

    func listTopics(request: Google_Pubsub_V1_ListTopicsRequest, context: ServerContext) async throws -> Google_Pubsub_V1_ListTopicsResponse {
        try await rpc {
            let page = try await store.listTopics(
                project: try PubSubName.project(request.project),
                pageSize: try PageToken.size(Int(request.pageSize), fallback: 100, maximum: 1000),
                after: try PageToken.key(from: request.pageToken)
            )
            var response = Google_Pubsub_V1_ListTopicsResponse()
            response.topics = try page.topics.map { try ProtoJSON.message(Google_Pubsub_V1_Topic.self, from: $0) }
            response.nextPageToken = page.next.map(PageToken.make(after:)) ?? ""
            return response
        }
    }

    func listTopicSubscriptions(request: Google_Pubsub_V1_ListTopicSubscriptionsRequest, context: ServerContext) async throws -> Google_Pubsub_V1_ListTopicSubscriptionsResponse {
        try await rpc {
            var response = Google_Pubsub_V1_ListTopicSubscriptionsResponse()
            response.subscriptions = try await store.subscriptionNames(topic: try PubSubName.parse(request.topic, kind: "topics"))
            return response
        }
    }

    func listTopicSnapshots(request: Google_Pubsub_V1_ListTopicSnapshotsRequest, context: ServerContext) async throws -> Google_Pubsub_V1_ListTopicSnapshotsResponse {
        try await rpc {
            var response = Google_Pubsub_V1_ListTopicSnapshotsResponse()
            response.snapshots = try await store.snapshotNames(topic: try PubSubName.parse(request.topic, kind: "topics"))
            return response
        }
    }

    func deleteTopic(request: Google_Pubsub_V1_DeleteTopicRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        try await rpc {
            try await store.deleteTopic(name: try PubSubName.parse(request.topic, kind: "topics"))
            return Google_Protobuf_Empty()
        }
    }

    func detachSubscription(request: Google_Pubsub_V1_DetachSubscriptionRequest, context: ServerContext) async throws -> Google_Pubsub_V1_DetachSubscriptionResponse {
        try await rpc {
            try await store.detachSubscription(name: try PubSubName.parse(request.subscription, kind: "subscriptions"))
            return Google_Pubsub_V1_DetachSubscriptionResponse()
        }
    }

    /// The bytes a publish request takes on the wire, to within a few per field: its payloads
    /// plus the tags and lengths that frame them. Counted rather than serialized again, since
    /// swift-protobuf keeps its size computation internal.
    static func wireSize(_ request: Google_Pubsub_V1_PublishRequest) -> Int {
        var size = request.topic.utf8.count + 2
        for message in request.messages {
            size += message.data.count + message.orderingKey.utf8.count + 12
            for (key, value) in message.attributes { size += key.utf8.count + value.utf8.count + 8 }
        }
        return size
    }
}
