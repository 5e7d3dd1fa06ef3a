import Foundation
import GoogleCloud
import GRDB
import Testing

@testable import Emulator

/// What `gcloud pubsub` and the client libraries call besides publish and pull: updates with
/// update masks, nack, modifyPushConfig, snapshots, seek, ordering keys, Google's limits, and
/// `UNIMPLEMENTED` for the rest.
@Suite("Pub/Sub completeness")
struct PubSubCompletenessTests {
    static let topic = "projects/demo/topics/tpc"

    /// A topic `t` and a pull subscription `s` (with `extra` JSON fields) on it.
    static func setUp(_ emulator: TestEmulator, subscription extra: String = "") async throws {
        #expect(try await emulator.send("PUT", "/v1/projects/demo/topics/tpc", json: "{}").status == 200)
        let created = try await emulator.send("PUT", "/v1/projects/demo/subscriptions/sub", json: #"{"topic":"\#(topic)"\#(extra)}"#)
        #expect(created.status == 200, "\(created.text)")
    }

    static func publish(_ emulator: TestEmulator, _ texts: [String], orderingKey: String? = nil) async throws -> [String] {
        let messages = texts.map { text in
            #"{"data":"\#(Data(text.utf8).base64EncodedString())"\#(orderingKey.map { #","orderingKey":"\#($0)""# } ?? "")}"#
        }
        let response = try await emulator.send("POST", "/v1/projects/demo/topics/tpc:publish", json: #"{"messages":[\#(messages.joined(separator: ","))]}"#)
        #expect(response.status == 200, "\(response.text)")
        return response.json["messageIds"] as? [String] ?? []
    }

    /// Pulls up to `max` messages: their decoded data and ack ids.
    static func pull(_ emulator: TestEmulator, max: Int = 10) async throws -> [(text: String, ackID: String)] {
        let response = try await emulator.send("POST", "/v1/projects/demo/subscriptions/sub:pull", json: #"{"maxMessages":\#(max)}"#)
        #expect(response.status == 200, "\(response.text)")
        return (response.json["receivedMessages"] as? [[String: Any]] ?? []).map { received in
            let data = Data(base64Encoded: received.value(at: "message.data") as? String ?? "") ?? Data()
            return (String(decoding: data, as: UTF8.self), received["ackId"] as? String ?? "")
        }
    }

    static func ack(_ emulator: TestEmulator, _ ackIDs: [String]) async throws {
        let list = ackIDs.map { "\"\($0)\"" }.joined(separator: ",")
        #expect(try await emulator.send("POST", "/v1/projects/demo/subscriptions/sub:acknowledge", json: #"{"ackIds":[\#(list)]}"#).status == 200)
    }

    @Test("PATCH of a topic and a subscription applies only the masked fields; unknown and fixed fields are refused")
    func updates() async throws {
        try await TestEmulator.run { emulator in
            try await Self.setUp(emulator, subscription: #","labels":{"keep":"me"},"ackDeadlineSeconds":20"#)
            let topic = try await emulator.send("PATCH", "/v1/projects/demo/topics/tpc", json: #"{"topic":{"labels":{"team":"imaging"}},"updateMask":"labels"}"#)
            #expect(topic.status == 200, "\(topic.text)")
            #expect(topic.json.value(at: "labels.team") as? String == "imaging")
            #expect(try await emulator.send("GET", "/v1/projects/demo/topics/tpc").json.value(at: "labels.team") as? String == "imaging")

            let subscription = try await emulator.send("PATCH", "/v1/projects/demo/subscriptions/sub", json: """
                {"subscription":{"ackDeadlineSeconds":45,"labels":{"ignored":"x"},"retryPolicy":{"minimumBackoff":"5s"}},"updateMask":"ack_deadline_seconds,retryPolicy"}
                """)
            #expect(subscription.status == 200, "\(subscription.text)")
            let got = try await emulator.send("GET", "/v1/projects/demo/subscriptions/sub").json
            #expect(got["ackDeadlineSeconds"] as? Int == 45)
            #expect(got.value(at: "labels.keep") as? String == "me")
            #expect(got.value(at: "retryPolicy.minimumBackoff") as? String == "5s")
            #expect(got["topic"] as? String == Self.topic)

            let unknown = try await emulator.send("PATCH", "/v1/projects/demo/subscriptions/sub", json: #"{"subscription":{"topic":"x"},"updateMask":"topic"}"#)
            #expect(unknown.status == 400 && unknown.errorStatus == "INVALID_ARGUMENT" && unknown.errorMessage.contains("'topic'"), "\(unknown.text)")
            let invalid = try await emulator.send("PATCH", "/v1/projects/demo/subscriptions/sub", json: #"{"subscription":{"ackDeadlineSeconds":900},"updateMask":"ackDeadlineSeconds"}"#)
            #expect(invalid.status == 400, "\(invalid.text)")
            let missing = try await emulator.send("PATCH", "/v1/projects/demo/topics/none", json: #"{"topic":{"labels":{}},"updateMask":"labels"}"#)
            #expect(missing.status == 404)
        }
    }

    @Test("a nack (modifyAckDeadline without ackDeadlineSeconds) makes the message available at once")
    func nack() async throws {
        try await TestEmulator.run { emulator in
            try await Self.setUp(emulator)
            _ = try await Self.publish(emulator, ["one"])
            let first = try await Self.pull(emulator)
            #expect(first.map(\.text) == ["one"])
            #expect(try await Self.pull(emulator).isEmpty)
            let nack = try await emulator.send("POST", "/v1/projects/demo/subscriptions/sub:modifyAckDeadline", json: #"{"ackIds":["\#(first[0].ackID)"]}"#)
            #expect(nack.status == 200, "\(nack.text)")
            #expect(try await Self.pull(emulator).map(\.text) == ["one"])
            // Acknowledgement requests are held to Pub/Sub's 512 KiB.
            let many = (0..<80_000).map { "\"\($0)-1\"" }.joined(separator: ",")
            let tooMany = try await emulator.send("POST", "/v1/projects/demo/subscriptions/sub:acknowledge", json: #"{"ackIds":[\#(many)]}"#)
            #expect(tooMany.status == 400 && tooMany.errorMessage == "Request payload size exceeds the limit: 524288 bytes.", "\(tooMany.text)")
        }
    }

    @Test("modifyPushConfig sets and clears the push endpoint and its oidcToken")
    func modifyPushConfig() async throws {
        try await TestEmulator.run { emulator in
            try await Self.setUp(emulator)
            let set = try await emulator.send("POST", "/v1/projects/demo/subscriptions/sub:modifyPushConfig", json: """
                {"pushConfig":{"pushEndpoint":"http://127.0.0.1:9/push","oidcToken":{"serviceAccountEmail":"pusher@demo.iam.gserviceaccount.com","audience":"aud"}}}
                """)
            #expect(set.status == 200, "\(set.text)")
            let got = try await emulator.send("GET", "/v1/projects/demo/subscriptions/sub").json
            #expect(got.value(at: "pushConfig.pushEndpoint") as? String == "http://127.0.0.1:9/push")
            #expect(got.value(at: "pushConfig.oidcToken.audience") as? String == "aud")
            #expect(try await emulator.send("POST", "/v1/projects/demo/subscriptions/sub:modifyPushConfig", json: "{}").status == 200)
            #expect(try await emulator.send("GET", "/v1/projects/demo/subscriptions/sub").json.value(at: "pushConfig.pushEndpoint") == nil)
            let bad = try await emulator.send("POST", "/v1/projects/demo/subscriptions/sub:modifyPushConfig", json: #"{"pushConfig":{"pushEndpoint":"not a url"}}"#)
            #expect(bad.status == 400)
        }
    }

    @Test("snapshots: create, get, list, patch labels; seek to one restores its messages and those published since")
    func snapshots() async throws {
        try await TestEmulator.run { emulator in
            try await Self.setUp(emulator)
            _ = try await Self.publish(emulator, ["a", "b"])
            let created = try await emulator.send("PUT", "/v1/projects/demo/snapshots/snap", json: #"{"subscription":"projects/demo/subscriptions/sub"}"#)
            #expect(created.status == 200, "\(created.text)")
            #expect(created.json["topic"] as? String == Self.topic)
            #expect(created.json["expireTime"] is String)
            #expect(try await emulator.send("PUT", "/v1/projects/demo/snapshots/snap", json: #"{"subscription":"projects/demo/subscriptions/sub"}"#).status == 409)
            _ = try await Self.publish(emulator, ["c"])
            try await Self.ack(emulator, try await Self.pull(emulator).map(\.ackID))
            #expect(try await Self.pull(emulator).isEmpty)

            let seek = try await emulator.send("POST", "/v1/projects/demo/subscriptions/sub:seek", json: #"{"snapshot":"projects/demo/snapshots/snap"}"#)
            #expect(seek.status == 200, "\(seek.text)")
            #expect(try await Self.pull(emulator).map(\.text).sorted() == ["a", "b", "c"])

            let list = try await emulator.send("GET", "/v1/projects/demo/snapshots").json
            #expect((list["snapshots"] as? [[String: Any]])?.first?["name"] as? String == "projects/demo/snapshots/snap")
            #expect(try await emulator.send("GET", "/v1/projects/demo/topics/tpc/snapshots").json["snapshots"] as? [String] == ["projects/demo/snapshots/snap"])
            let patched = try await emulator.send("PATCH", "/v1/projects/demo/snapshots/snap", json: #"{"snapshot":{"labels":{"k":"v"}},"updateMask":"labels"}"#)
            #expect(patched.json.value(at: "labels.k") as? String == "v", "\(patched.text)")
            #expect(try await emulator.send("DELETE", "/v1/projects/demo/snapshots/snap").status == 200)
            #expect(try await emulator.send("GET", "/v1/projects/demo/snapshots/snap").status == 404)
        }
    }

    @Test("an expired snapshot is deleted by maintenance with the messages only it held")
    func snapshotExpiry() async throws {
        try await TestEmulator.run { emulator in
            try await Self.setUp(emulator)
            _ = try await Self.publish(emulator, ["kept"])
            #expect(try await emulator.send("PUT", "/v1/projects/demo/snapshots/snap", json: #"{"subscription":"projects/demo/subscriptions/sub"}"#).status == 200)
            try await Self.ack(emulator, try await Self.pull(emulator).map(\.ackID))
            let pubsub = PubSubStore(store: emulator.store)
            #expect(try await pubsub.expireSnapshots(nowMicroseconds: GoogleTimestamp.now().microseconds) == 0)
            let later = GoogleTimestamp.now().microseconds + PubSubStore.snapshotLifetime.nanoseconds / 1_000 + 1
            #expect(try await pubsub.expireSnapshots(nowMicroseconds: later) == 1)
            #expect(try await emulator.send("GET", "/v1/projects/demo/snapshots/snap").status == 404)
            let messages = try await emulator.store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pubsub_messages") ?? -1 }
            #expect(messages == 0)
        }
    }

    @Test("seek to a time acknowledges what was published before it and redelivers what came after")
    func seekToTime() async throws {
        try await TestEmulator.run { emulator in
            try await Self.setUp(emulator)
            _ = try await Self.publish(emulator, ["old"])
            try await Task.sleep(for: .milliseconds(20))  // publish times a clear step apart
            let middle = ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withInternetDateTime, .withFractionalSeconds])
            try await Task.sleep(for: .milliseconds(20))
            _ = try await Self.publish(emulator, ["new"])
            let leased = try await Self.pull(emulator)
            #expect(leased.count == 2)
            let seek = try await emulator.send("POST", "/v1/projects/demo/subscriptions/sub:seek", json: #"{"time":"\#(middle)"}"#)
            #expect(seek.status == 200, "\(seek.text)")
            #expect(try await Self.pull(emulator).map(\.text) == ["new"])
            let neither = try await emulator.send("POST", "/v1/projects/demo/subscriptions/sub:seek", json: "{}")
            #expect(neither.status == 400)
        }
    }

    @Test("with enableMessageOrdering, pull hands out a key's next message only once the previous one is acked")
    func orderingOnPull() async throws {
        try await TestEmulator.run { emulator in
            try await Self.setUp(emulator, subscription: #","enableMessageOrdering":true"#)
            _ = try await Self.publish(emulator, ["k1", "k2", "k3"], orderingKey: "job-1")
            _ = try await Self.publish(emulator, ["x1", "x2"], orderingKey: "job-2")
            _ = try await Self.publish(emulator, ["free"])
            let first = try await Self.pull(emulator)
            #expect(first.map(\.text).sorted() == ["free", "k1", "x1"])
            #expect(try await Self.pull(emulator).isEmpty)
            // A nack of k1 brings k1 back, still ahead of k2.
            let k1 = try #require(first.first { $0.text == "k1" }).ackID
            #expect(try await emulator.send("POST", "/v1/projects/demo/subscriptions/sub:modifyAckDeadline", json: #"{"ackIds":["\#(k1)"]}"#).status == 200)
            let again = try await Self.pull(emulator)
            #expect(again.map(\.text) == ["k1"])
            try await Self.ack(emulator, again.map(\.ackID) + first.filter { $0.text != "k1" }.map(\.ackID))
            #expect(try await Self.pull(emulator).map(\.text).sorted() == ["k2", "x2"])
        }
    }

    @Test("Google's publish limits are refused with 400 INVALID_ARGUMENT and Pub/Sub's wording", arguments: [
        ("5,000 messages", "message_count"),
        ("101 attributes", "attribute_count"),
        ("a 257-byte attribute key", "attribute_key_size"),
        ("a 1,025-byte attribute value", "attribute_value_size"),
        ("a 1,025-byte ordering key", "ordering_key_size"),
        ("a 12 MB message", "Request payload size exceeds the limit: 10485760 bytes."),
    ])
    func limits(what: String, expected: String) async throws {
        try await TestEmulator.run { emulator in
            #expect(try await emulator.send("PUT", "/v1/projects/demo/topics/tpc", json: "{}").status == 200)
            let one = #"{"data":"eA=="}"#
            let body: String
            switch what {
            case "5,000 messages": body = #"{"messages":[\#(Array(repeating: one, count: 5000).joined(separator: ","))]}"#
            case "101 attributes": body = #"{"messages":[{"attributes":{\#((0...100).map { #""k\#($0)":"v""# }.joined(separator: ","))}}]}"#
            case "a 257-byte attribute key": body = #"{"messages":[{"attributes":{"\#(String(repeating: "k", count: 257))":"v"}}]}"#
            case "a 1,025-byte attribute value": body = #"{"messages":[{"attributes":{"k":"\#(String(repeating: "v", count: 1025))"}}]}"#
            case "a 1,025-byte ordering key": body = #"{"messages":[{"data":"eA==","orderingKey":"\#(String(repeating: "o", count: 1025))"}]}"#
            default: body = #"{"messages":[{"data":"\#(Data(count: 12_000_000).base64EncodedString())"}]}"#
            }
            let response = try await emulator.send("POST", "/v1/projects/demo/topics/tpc:publish", json: body)
            #expect(response.status == 400, "\(what): \(response.text.prefix(300))")
            #expect(response.errorStatus == "INVALID_ARGUMENT")
            #expect(response.errorMessage.contains(expected), "\(response.errorMessage)")
        }
    }

    @Test("what is not implemented fails at once with 400 UNIMPLEMENTED naming the method, never 404 or 5xx")
    func unimplemented() async throws {
        try await TestEmulator.run { emulator in
            try await Self.setUp(emulator)
            for (method, path) in [("GET", "/v1/projects/demo/topics/tpc:getIamPolicy"), ("GET", "/v1/projects/demo/schemas"),
                                   ("POST", "/v1/projects/demo/topics/tpc:frobnicate")] {
                let response = try await emulator.send(method, path, json: "{}")
                #expect(response.status == 400, "\(path): \(response.text)")
                #expect(response.errorStatus == "UNIMPLEMENTED")
                #expect(response.errorMessage.contains(path) && response.errorMessage.contains(method), "\(response.errorMessage)")
            }
        }
    }
}
