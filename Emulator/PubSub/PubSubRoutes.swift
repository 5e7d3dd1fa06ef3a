import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird

/// Pub/Sub REST v1: `/v1/projects/P/topics…`, `/v1/projects/P/subscriptions…` and
/// `/v1/projects/P/snapshots…`; schemas and any method not served answer `notServed`.
struct PubSubRoutes: APIRouteGroup {
    let store: PubSubStore
    let limits: APILimits

    func register(on router: Router<BasicRequestContext>) {
        let kinds = ["topics", "subscriptions", "snapshots", "schemas"]
        for pattern in kinds.flatMap({ ["v1/projects/:project/\($0)", "v1/projects/:project/\($0)/**"] }) {
            registerAllMethods(RouterPath(pattern), on: router) { request, _ in try await handle(request) }
        }
    }

    private func handle(_ request: Request) async throws -> Response {
        let path = try request.apiPath()
        let segments = path.segments
        guard segments.count >= 4, segments[3] != "schemas" else { throw notServed(request) }
        let project = segments[2]
        let query = request.apiQuery
        let pageSize = try PageToken.size(query.int("pageSize"), fallback: 100, maximum: 1000)
        let after = try PageToken.key(from: query["pageToken"])
        switch (segments[3], segments.count, path.verb, request.method) {
        case ("topics", 4, nil, .get):
            let page = try await store.listTopics(project: project, pageSize: pageSize, after: after)
            return try APIJSON.response(ListTopicsResponse(topics: page.topics, nextPageToken: page.next.map(PageToken.make(after:))))
        case ("topics", 5, nil, .put):
            let name = try resourceName(project, "topics", segments[4])
            let body = try await request.decodePubSubJSON(PubSubTopic.self, limit: PubSubLimits.requestBytes, configured: limits)
            return try APIJSON.response(try await store.createTopic(name: name, body: body))
        case ("topics", 5, nil, .patch):
            let body = try await request.decodePubSubJSON(UpdateTopicRequest.self, limit: PubSubLimits.requestBytes, configured: limits)
            let mask = UpdateMask([body.updateMask ?? ""] + query.all("updateMask"))
            return try APIJSON.response(try await store.updateTopic(name: try resourceName(project, "topics", segments[4]), patch: body.topic, mask: mask))
        case ("topics", 5, nil, .get):
            return try APIJSON.response(try await store.topic(name: try resourceName(project, "topics", segments[4])))
        case ("topics", 5, nil, .delete):
            try await store.deleteTopic(name: try resourceName(project, "topics", segments[4]))
            return APIJSON.emptyResponse()
        case ("topics", 5, "publish", .post):
            return try await publish(topic: try resourceName(project, "topics", segments[4]), request: request)
        case ("topics", 6, nil, .get) where segments[5] == "subscriptions":
            let names = try await store.subscriptionNames(topic: try resourceName(project, "topics", segments[4]))
            return try APIJSON.response(ListTopicSubscriptionsResponse(subscriptions: names))
        case ("topics", 6, nil, .get) where segments[5] == "snapshots":
            let names = try await store.snapshotNames(topic: try resourceName(project, "topics", segments[4]))
            return try APIJSON.response(ListTopicSnapshotsResponse(snapshots: names))
        case ("subscriptions", 4, nil, .get):
            let page = try await store.listSubscriptions(project: project, pageSize: pageSize, after: after)
            return try APIJSON.response(ListSubscriptionsResponse(subscriptions: page.subscriptions, nextPageToken: page.next.map(PageToken.make(after:))))
        case ("subscriptions", 5, nil, .put):
            let name = try resourceName(project, "subscriptions", segments[4])
            let body = try await request.decodePubSubJSON(PubSubSubscription.self, limit: PubSubLimits.requestBytes, configured: limits)
            return try APIJSON.response(try await store.createSubscription(name: name, body: body))
        case ("subscriptions", 5, nil, .patch):
            let body = try await request.decodePubSubJSON(UpdateSubscriptionRequest.self, limit: PubSubLimits.requestBytes, configured: limits)
            let mask = UpdateMask([body.updateMask ?? ""] + query.all("updateMask"))
            let name = try resourceName(project, "subscriptions", segments[4])
            return try APIJSON.response(try await store.updateSubscription(name: name, patch: body.subscription, mask: mask))
        case ("subscriptions", 5, "modifyPushConfig", .post):
            let body = try await request.decodePubSubJSON(ModifyPushConfigRequest.self, limit: PubSubLimits.requestBytes, configured: limits)
            try await store.modifyPushConfig(subscription: try resourceName(project, "subscriptions", segments[4]), pushConfig: body.pushConfig)
            return APIJSON.emptyResponse()
        case ("subscriptions", 5, "seek", .post):
            let name = try resourceName(project, "subscriptions", segments[4])
            let body = try await request.decodePubSubJSON(SeekRequest.self, limit: PubSubLimits.requestBytes, configured: limits)
            try await store.seek(subscription: name, body)
            return APIJSON.emptyResponse()
        case ("subscriptions", 5, "detach", .post):
            try await store.detachSubscription(name: try resourceName(project, "subscriptions", segments[4]))
            return APIJSON.emptyResponse()
        case ("snapshots", 4, nil, .get):
            let page = try await store.listSnapshots(project: project, pageSize: pageSize, after: after)
            return try APIJSON.response(ListSnapshotsResponse(snapshots: page.snapshots, nextPageToken: page.next.map(PageToken.make(after:))))
        case ("snapshots", 5, nil, .put):
            let name = try resourceName(project, "snapshots", segments[4])
            let body = try await request.decodePubSubJSON(CreateSnapshotRequest.self, limit: PubSubLimits.requestBytes, configured: limits)
            return try APIJSON.response(try await store.createSnapshot(name: name, body))
        case ("snapshots", 5, nil, .get):
            return try APIJSON.response(try await store.snapshot(name: try resourceName(project, "snapshots", segments[4])))
        case ("snapshots", 5, nil, .patch):
            let body = try await request.decodePubSubJSON(UpdateSnapshotRequest.self, limit: PubSubLimits.requestBytes, configured: limits)
            let mask = UpdateMask([body.updateMask ?? ""] + query.all("updateMask"))
            return try APIJSON.response(try await store.updateSnapshot(name: try resourceName(project, "snapshots", segments[4]), patch: body.snapshot, mask: mask))
        case ("snapshots", 5, nil, .delete):
            try await store.deleteSnapshot(name: try resourceName(project, "snapshots", segments[4]))
            return APIJSON.emptyResponse()
        case ("subscriptions", 5, nil, .get):
            return try APIJSON.response(try await store.subscription(name: try resourceName(project, "subscriptions", segments[4])))
        case ("subscriptions", 5, nil, .delete):
            try await store.deleteSubscription(name: try resourceName(project, "subscriptions", segments[4]))
            return APIJSON.emptyResponse()
        case ("subscriptions", 5, "pull", .post):
            let name = try resourceName(project, "subscriptions", segments[4])
            let body = try await request.decodePubSubJSON(PullRequest.self, limit: PubSubLimits.requestBytes, configured: limits)
            let received = try await store.pull(subscription: name, requested: body.maxMessages).messages.map(\.received)
            return try APIJSON.response(PullResponse(receivedMessages: received.isEmpty ? nil : received))
        case ("subscriptions", 5, "acknowledge", .post):
            let name = try resourceName(project, "subscriptions", segments[4])
            let body = try await request.decodePubSubJSON(AcknowledgeRequest.self, limit: PubSubLimits.ackRequestBytes, configured: limits)
            try await store.acknowledge(subscription: name, ackIDs: try AckID.parse(body.ackIds))
            return APIJSON.emptyResponse()
        case ("subscriptions", 5, "modifyAckDeadline", .post):
            let name = try resourceName(project, "subscriptions", segments[4])
            let body = try await request.decodePubSubJSON(ModifyAckDeadlineRequest.self, limit: PubSubLimits.ackRequestBytes, configured: limits)
            // Omitted is 0, a nack: protobuf JSON leaves out default values.
            try await store.modifyAckDeadline(subscription: name, ackIDs: try AckID.parse(body.ackIds), seconds: body.ackDeadlineSeconds ?? 0)
            return APIJSON.emptyResponse()
        default:
            throw notServed(request)
        }
    }

    private func notServed(_ request: Request) -> GoogleAPIError {
        .notServed(api: "Pub/Sub", method: request.method, path: request.uri.path)
    }

    private func publish(topic: String, request: Request) async throws -> Response {
        let body = try await request.decodePubSubJSON(PublishRequest.self, limit: PubSubLimits.requestBytes, configured: limits)
        let messages = try body.messages.enumerated().map { index, message in
            let encoded = message.data ?? ""
            guard let data = Data(base64Encoded: encoded) ?? Data(base64Encoded: Self.padded(encoded)) else {
                throw GoogleAPIError.invalidArgument("Invalid value at 'messages[\(index)].data' (TYPE_BYTES), Base64 decoding failed for \"\(encoded.prefix(40))\".")
            }
            return (data: data, attributes: message.attributes, orderingKey: message.orderingKey)
        }
        try PubSubLimits.checkPublish(messages)
        let ids = try await store.publish(topic: topic, messages: messages)
        return try APIJSON.response(PublishResponse(messageIds: ids))
    }

    private func resourceName(_ project: String, _ kind: String, _ id: String) throws -> String {
        try PubSubName.make(project: project, kind: kind, id: id)
    }

    private static func padded(_ base64: String) -> String {
        var text = base64.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return text
    }
}

/// `GET …/topics` response.
struct ListTopicsResponse: Encodable, Sendable {
    var topics: [PubSubTopic]
    var nextPageToken: String?
}

/// `GET …/subscriptions` response.
struct ListSubscriptionsResponse: Encodable, Sendable {
    var subscriptions: [PubSubSubscription]
    var nextPageToken: String?
}

/// `GET …/topics/T/subscriptions` response.
struct ListTopicSubscriptionsResponse: Encodable, Sendable {
    var subscriptions: [String]
}

/// `:publish` response.
struct PublishResponse: Encodable, Sendable {
    var messageIds: [String]
}

/// `:pull` response; `receivedMessages` is omitted when nothing is due, as Pub/Sub does.
struct PullResponse: Encodable, Sendable {
    var receivedMessages: [ReceivedMessage]?
}
