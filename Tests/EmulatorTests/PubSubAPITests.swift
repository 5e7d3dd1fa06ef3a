import Foundation
import Testing

/// Pub/Sub REST v1 as the client libraries call it (with `$alt=json;enum-encoding=int`).
@Suite("Pub/Sub REST API")
struct PubSubAPITests {
    static let alt = "?%24alt=json%3Benum-encoding%3Dint"

    @Test("topics and subscriptions: create, get, list, delete, with stored push and retry settings")
    func resources() async throws {
        try await TestEmulator.run { emulator in
            let topic = try await emulator.send("PUT", "/v1/projects/demo/topics/shards\(Self.alt)", json: "{}")
            #expect(topic.status == 200)
            #expect(topic.json["name"] as? String == "projects/demo/topics/shards")
            #expect(try await emulator.send("PUT", "/v1/projects/demo/topics/shards\(Self.alt)", json: "{}").errorStatus == "ALREADY_EXISTS")
            let subscription = try await emulator.send("PUT", "/v1/projects/demo/subscriptions/shards-push\(Self.alt)", json: """
                {"topic":"projects/demo/topics/shards","ackDeadlineSeconds":60,
                 "pushConfig":{"pushEndpoint":"http://127.0.0.1:9000/","oidcToken":{"serviceAccountEmail":"sa@demo.iam.gserviceaccount.com"}},
                 "retryPolicy":{"minimumBackoff":"10s","maximumBackoff":"600s"},
                 "deadLetterPolicy":{"deadLetterTopic":"projects/demo/topics/dead","maxDeliveryAttempts":5}}
                """)
            #expect(subscription.status == 200)
            let got = try await emulator.send("GET", "/v1/projects/demo/subscriptions/shards-push\(Self.alt)").json
            #expect(got["topic"] as? String == "projects/demo/topics/shards")
            #expect(got["ackDeadlineSeconds"] as? Int == 60)
            #expect(got.value(at: "pushConfig.pushEndpoint") as? String == "http://127.0.0.1:9000/")
            #expect(got.value(at: "pushConfig.oidcToken.serviceAccountEmail") as? String == "sa@demo.iam.gserviceaccount.com")
            #expect(got.value(at: "retryPolicy.minimumBackoff") as? String == "10s")
            #expect(got.value(at: "deadLetterPolicy.maxDeliveryAttempts") as? Int == 5)
            #expect(got["messageRetentionDuration"] as? String == "604800s")
            let topics = try await emulator.send("GET", "/v1/projects/demo/topics").json
            #expect((topics["topics"] as? [[String: Any]])?.count == 1)
            let subscriptions = try await emulator.send("GET", "/v1/projects/demo/subscriptions").json
            #expect((subscriptions["subscriptions"] as? [[String: Any]])?.count == 1)
            #expect(try await emulator.send("PUT", "/v1/projects/demo/subscriptions/orphan", json: #"{"topic":"projects/demo/topics/none"}"#).status == 404)
            #expect(try await emulator.send("DELETE", "/v1/projects/demo/subscriptions/shards-push").status == 200)
            #expect(try await emulator.send("DELETE", "/v1/projects/demo/topics/shards").status == 200)
            #expect(try await emulator.send("GET", "/v1/projects/demo/topics/shards").errorStatus == "NOT_FOUND")
        }
    }

    @Test("publish returns messageIds; pull, modifyAckDeadline and acknowledge follow the lease")
    func publishPullAck() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("PUT", "/v1/projects/demo/topics/shards", json: "{}")
            try await emulator.send("PUT", "/v1/projects/demo/subscriptions/pull", json: #"{"topic":"projects/demo/topics/shards"}"#)
            let published = try await emulator.send("POST", "/v1/projects/demo/topics/shards:publish\(Self.alt)", json: """
                {"messages":[{"data":"c2hhcmQtMQ==","attributes":{"job":"j1"},"orderingKey":"j1"},{"data":"c2hhcmQtMg=="}]}
                """, headers: [("x-goog-api-client", "gl-node/20 gax/4 rest/4")])
            #expect(published.status == 200)
            let ids = try #require(published.json["messageIds"] as? [String])
            #expect(ids.count == 2)

            let pulled = try await emulator.send("POST", "/v1/projects/demo/subscriptions/pull:pull\(Self.alt)", json: #"{"maxMessages":10}"#)
            let received = try #require(pulled.json["receivedMessages"] as? [[String: Any]])
            #expect(received.count == 2)
            #expect(received.first?.value(at: "message.data") as? String == "c2hhcmQtMQ==")
            #expect(received.first?.value(at: "message.attributes.job") as? String == "j1")
            #expect(received.first?.value(at: "message.orderingKey") as? String == "j1")
            #expect(received.first?.value(at: "message.messageId") as? String == ids[0])
            #expect(received.first?.value(at: "message.publishTime") is String)
            let ackIDs = received.compactMap { $0["ackId"] as? String }

            // Leased: nothing more until the deadline is moved.
            #expect(try await emulator.send("POST", "/v1/projects/demo/subscriptions/pull:pull", json: #"{"maxMessages":10}"#).json["receivedMessages"] == nil)
            let nack = try await emulator.send("POST", "/v1/projects/demo/subscriptions/pull:modifyAckDeadline",
                                               json: #"{"ackIds":["\#(ackIDs[1])"],"ackDeadlineSeconds":0}"#)
            #expect(nack.status == 200)
            let again = try await emulator.send("POST", "/v1/projects/demo/subscriptions/pull:pull", json: #"{"maxMessages":10}"#)
            #expect((again.json["receivedMessages"] as? [[String: Any]])?.first?.value(at: "message.messageId") as? String == ids[1])

            let ack = try await emulator.send("POST", "/v1/projects/demo/subscriptions/pull:acknowledge", json: #"{"ackIds":["\#(ackIDs[0])","\#(ackIDs[1])"]}"#)
            #expect(ack.status == 200)
            let count = try await emulator.send("POST", "/v1/projects/demo/subscriptions/pull:modifyAckDeadline",
                                                json: #"{"ackIds":["\#(ackIDs[0])","\#(ackIDs[1])"],"ackDeadlineSeconds":0}"#)
            #expect(count.status == 200)
            #expect(try await emulator.send("POST", "/v1/projects/demo/subscriptions/pull:pull", json: #"{"maxMessages":10}"#).json["receivedMessages"] == nil)
        }
    }

    @Test("publishing to a missing topic is 404 naming it")
    func publishMissingTopic() async throws {
        try await TestEmulator.run { emulator in
            let response = try await emulator.send("POST", "/v1/projects/demo/topics/nope:publish", json: #"{"messages":[{"data":"eA=="}]}"#)
            #expect(response.status == 404)
            #expect(response.errorMessage.contains("projects/demo/topics/nope"))
        }
    }
}
