import Foundation
import PixelPipeCore

/// Pub/Sub REST v1: topics, subscriptions, publishing, and pull/acknowledge for tools and tests.
public struct PubSubClient: Sendable {
    private let api: GoogleAPIClient
    /// The project all names are qualified with.
    public let project: String

    public init(api: GoogleAPIClient, project: String) {
        self.api = api
        self.project = project
    }

    /// `projects/P/topics/T`.
    public func topicName(_ topic: String) -> String { "projects/\(project)/topics/\(topic)" }
    /// `projects/P/subscriptions/S`.
    public func subscriptionName(_ subscription: String) -> String { "projects/\(project)/subscriptions/\(subscription)" }

    private func path(_ name: String) -> String {
        "/v1/" + name.split(separator: "/").map { GoogleAPIClient.percentEncoded(String($0)) }.joined(separator: "/")
    }

    /// Creates a topic; an existing one throws `isAlreadyExists`.
    public func createTopic(_ topic: String) async throws {
        _ = try await api.send(.pubSub, method: "PUT", path: path(topicName(topic)), headers: [("Content-Type", "application/json")], body: Data("{}".utf8), resource: topicName(topic))
    }

    /// Whether the topic exists.
    public func topicExists(_ topic: String) async throws -> Bool {
        do {
            _ = try await api.send(.pubSub, method: "GET", path: path(topicName(topic)), resource: topicName(topic))
            return true
        } catch let error as GoogleAPIError where error.isNotFound {
            return false
        }
    }

    /// Deletes a topic.
    public func deleteTopic(_ topic: String) async throws {
        _ = try await api.send(.pubSub, method: "DELETE", path: path(topicName(topic)), resource: topicName(topic))
    }

    /// Creates a subscription; an existing one throws `isAlreadyExists`.
    @discardableResult
    public func createSubscription(_ subscription: String, _ resource: PubSubSubscription) async throws -> PubSubSubscription {
        try await api.json(.pubSub, method: "PUT", path: path(subscriptionName(subscription)), body: resource, resource: subscriptionName(subscription))
    }

    /// The subscription's configuration.
    public func subscription(_ subscription: String) async throws -> PubSubSubscription {
        try await api.json(.pubSub, method: "GET", path: path(subscriptionName(subscription)), resource: subscriptionName(subscription))
    }

    /// Deletes a subscription.
    public func deleteSubscription(_ subscription: String) async throws {
        _ = try await api.send(.pubSub, method: "DELETE", path: path(subscriptionName(subscription)), resource: subscriptionName(subscription))
    }

    /// Publishes a batch; returns the server's message ids in order. Inside a traced piece of
    /// work each message without one gets a `traceparent` attribute, so its subscriber continues the trace.
    public func publish(_ messages: [PubSubOutgoingMessage], to topic: String) async throws -> [String] {
        struct Body: Encodable { var messages: [PubSubOutgoingMessage] }
        struct Answer: Decodable { var messageIds: [String] }
        let messages = messages.map(\.tracedWithCurrentSpan)
        let answer: Answer = try await api.json(.pubSub, method: "POST", path: path(topicName(topic)) + ":publish", body: Body(messages: messages), resource: topicName(topic))
        return answer.messageIds
    }

    /// Pulls up to `maxMessages` waiting messages.
    public func pull(_ subscription: String, maxMessages: Int = 100) async throws -> [PubSubReceivedMessage] {
        struct Body: Encodable { var maxMessages: Int }
        struct Answer: Decodable { var receivedMessages: [PubSubReceivedMessage]? }
        let answer: Answer = try await api.json(.pubSub, method: "POST", path: path(subscriptionName(subscription)) + ":pull", body: Body(maxMessages: maxMessages), resource: subscriptionName(subscription))
        return answer.receivedMessages ?? []
    }

    /// Acknowledges pulled messages.
    public func acknowledge(_ ackIDs: [String], on subscription: String) async throws {
        struct Body: Encodable { var ackIds: [String] }
        _ = try await api.json(.pubSub, method: "POST", path: path(subscriptionName(subscription)) + ":acknowledge", body: Body(ackIds: ackIDs), resource: subscriptionName(subscription), as: EmptyResponse.self)
    }
}
