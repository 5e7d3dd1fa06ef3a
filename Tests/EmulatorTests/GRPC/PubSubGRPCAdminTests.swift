import Foundation
import GoogleAPIsGRPC
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Testing

@testable import Emulator

/// Publisher calls through the generated Swift client that Google's Python check does not make.
@Suite("Pub/Sub over gRPC: Publisher")
struct PubSubGRPCAdminTests {
    @Test("DetachSubscription drops the backlog; pulls then fail with FAILED_PRECONDITION over gRPC and REST alike", .timeLimit(.minutes(1)))
    func detach() async throws {
        try await TestEmulator.run { emulator in
            try await PubSubStreamingPullTests.setUp(emulator)
            try await PubSubStreamingPullTests.publish(emulator, ["kept?"])
            let port = try #require(URLComponents(string: emulator.baseURL)?.port)
            let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
            try await withGRPCClient(transport: transport) { client in
                let publisher = Google_Pubsub_V1_Publisher.Client(wrapping: client)
                let subscriber = Google_Pubsub_V1_Subscriber.Client(wrapping: client)
                var detach = Google_Pubsub_V1_DetachSubscriptionRequest()
                detach.subscription = PubSubStreamingPullTests.subscription
                _ = try await publisher.detachSubscription(detach)

                var pull = Google_Pubsub_V1_PullRequest()
                pull.subscription = PubSubStreamingPullTests.subscription
                pull.maxMessages = 10
                do {
                    _ = try await subscriber.pull(pull)
                    Issue.record("a pull of a detached subscription succeeded")
                } catch let error as RPCError {
                    #expect(error.code == .failedPrecondition, "\(error)")
                }
                let rest = try await emulator.send("POST", "/v1/\(PubSubStreamingPullTests.subscription):pull", json: #"{"maxMessages":10}"#)
                #expect(rest.status == 400)
                #expect(rest.errorStatus == "FAILED_PRECONDITION")

                var list = Google_Pubsub_V1_ListTopicSubscriptionsRequest()
                list.topic = PubSubStreamingPullTests.topic
                #expect(try await publisher.listTopicSubscriptions(list).subscriptions.isEmpty)
                var get = Google_Pubsub_V1_GetSubscriptionRequest()
                get.subscription = PubSubStreamingPullTests.subscription
                #expect(try await subscriber.getSubscription(get).detached)
            }
        }
    }
}
