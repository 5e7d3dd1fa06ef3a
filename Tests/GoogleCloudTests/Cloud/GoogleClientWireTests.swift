import Foundation
import GoogleCloud
import PipelineModel
import PixelPipeCore
import Testing
import TestSupport

/// A client for a recording server standing in for every Google API.
func recordingAPI(port: Int, retry: RetryPolicy = .fast) -> GoogleAPIClient {
    GoogleAPIClient(endpoints: .emulator("http://127.0.0.1:\(port)"), retryPolicy: retry)
}

extension RetryPolicy {
    /// Retries without real waiting, for tests.
    static var fast: RetryPolicy {
        var policy = RetryPolicy()
        policy.initialBackoff = .milliseconds(1)
        policy.maxBackoff = .milliseconds(5)
        return policy
    }
}

func jsonObject(_ text: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
}

@Suite("Google API clients on the wire")
struct GoogleClientWireTests {
    @Test("Pub/Sub: topics, push subscriptions with OIDC, retry and dead-letter policies, publish, pull and acknowledge")
    func pubSub() async throws {
        let server = RecordingServer()
        try await server.run(respond: { request, _ in
            if request.path.hasSuffix(":publish") { return (200, #"{"messageIds":["11","12"]}"#, [:]) }
            if request.path.hasSuffix(":pull") {
                let data = Data("shard".utf8).base64EncodedString()
                return (200, #"{"receivedMessages":[{"ackId":"ack-1","message":{"data":"\#(data)","messageId":"11","publishTime":"2026-11-22T10:00:00Z"},"deliveryAttempt":2}]}"#, [:])
            }
            if request.path.contains("/subscriptions/") && request.method == "PUT" {
                return (200, String(decoding: request.body, as: UTF8.self), [:])
            }
            return (200, "{}", [:])
        }) { port in
            let pubsub = PubSubClient(api: recordingAPI(port: port), project: "demo")
            try await pubsub.createTopic("shards")
            try await pubsub.createSubscription("shards-populate", PubSubSubscription(
                topic: pubsub.topicName("shards"),
                pushConfig: .init(pushEndpoint: "https://populate-xyz.a.run.app/", oidcToken: .init(serviceAccountEmail: "push@demo.iam.gserviceaccount.com")),
                ackDeadlineSeconds: 60,
                retryPolicy: .init(minimumBackoff: "10s", maximumBackoff: "600s"),
                deadLetterPolicy: .init(deadLetterTopic: pubsub.topicName("shards-dead"), maxDeliveryAttempts: 5)
            ))
            let ids = try await pubsub.publish([
                PubSubOutgoingMessage(data: Data("a".utf8), attributes: ["job": "j1"], orderingKey: "j1"),
                PubSubOutgoingMessage(data: Data("b".utf8)),
            ], to: "shards")
            #expect(ids == ["11", "12"])
            let received = try await pubsub.pull("shards-populate", maxMessages: 10)
            #expect(received.first?.message.data == Data("shard".utf8))
            #expect(received.first?.deliveryAttempt == 2)
            try await pubsub.acknowledge(["ack-1"], on: "shards-populate")
            try await pubsub.deleteSubscription("shards-populate")
            try await pubsub.deleteTopic("shards")
        }
        let requests = server.requests
        #expect(requests.map { "\($0.method) \($0.path)" } == [
            "PUT /v1/projects/demo/topics/shards",
            "PUT /v1/projects/demo/subscriptions/shards-populate",
            "POST /v1/projects/demo/topics/shards:publish",
            "POST /v1/projects/demo/subscriptions/shards-populate:pull",
            "POST /v1/projects/demo/subscriptions/shards-populate:acknowledge",
            "DELETE /v1/projects/demo/subscriptions/shards-populate",
            "DELETE /v1/projects/demo/topics/shards",
        ])
        let subscription = try #require(requests[1].json)
        #expect(subscription["topic"] as? String == "projects/demo/topics/shards")
        #expect(subscription["ackDeadlineSeconds"] as? Int == 60)
        let push = try #require(subscription["pushConfig"] as? [String: Any])
        #expect(push["pushEndpoint"] as? String == "https://populate-xyz.a.run.app/")
        #expect((push["oidcToken"] as? [String: Any])?["serviceAccountEmail"] as? String == "push@demo.iam.gserviceaccount.com")
        #expect((subscription["retryPolicy"] as? [String: String]) == ["minimumBackoff": "10s", "maximumBackoff": "600s"])
        let deadLetter = try #require(subscription["deadLetterPolicy"] as? [String: Any])
        #expect(deadLetter["deadLetterTopic"] as? String == "projects/demo/topics/shards-dead")
        #expect(deadLetter["maxDeliveryAttempts"] as? Int == 5)

        let messages = try #require(requests[2].json?["messages"] as? [[String: Any]])
        #expect(messages.count == 2)
        #expect(messages[0]["data"] as? String == Data("a".utf8).base64EncodedString())
        #expect(messages[0]["attributes"] as? [String: String] == ["job": "j1"])
        #expect(messages[0]["orderingKey"] as? String == "j1")
        #expect(requests[3].json?["maxMessages"] as? Int == 10)
        #expect(requests[4].json?["ackIds"] as? [String] == ["ack-1"])
        #expect(requests.allSatisfy { $0.headers["authorization"] == nil })
    }

    @Test("Cloud Tasks: queues with rate limits and retry config, verbs, named tasks with base64 bodies; a remembered name is a typed conflict")
    func cloudTasks() async throws {
        let server = RecordingServer()
        try await server.run(respond: { request, index in
            if (request.method == "POST" && request.path.hasSuffix("/tasks")) || (request.method == "GET" && request.path.contains("/tasks/")) {
                if request.json.flatMap({ ($0["task"] as? [String: Any])?["name"] as? String })?.hasSuffix("dup") == true {
                    return (409, #"{"error":{"code":409,"message":"Requested entity already exists","status":"ALREADY_EXISTS"}}"#, [:])
                }
                return (200, #"{"name":"projects/demo/locations/us-central1/queues/images-j1/tasks/j1-3-0","httpRequest":{"url":"http://process/","httpMethod":1},"dispatchCount":0}"#, [:])
            }
            if request.path.hasSuffix("/queues") || request.path.contains(":") || request.method == "GET" {
                return (200, #"{"name":"projects/demo/locations/us-central1/queues/images-j1","state":2,"rateLimits":{"maxDispatchesPerSecond":50,"maxConcurrentDispatches":8},"retryConfig":{"maxAttempts":5,"minBackoff":"1s","maxBackoff":"60s","maxDoublings":3}}"#, [:])
            }
            return (200, "{}", [:])
        }) { port in
            let tasks = CloudTasksClient(api: recordingAPI(port: port), project: "demo", location: "us-central1")
            try await tasks.createQueue("images-j1",
                rateLimits: .init(maxDispatchesPerSecond: 50, maxBurstSize: 10, maxConcurrentDispatches: 8),
                retryConfig: .init(maxAttempts: 5, maxRetryDuration: "0s", minBackoff: "1s", maxBackoff: "60s", maxDoublings: 3))
            let paused = try await tasks.pauseQueue("images-j1")
            #expect(paused.state == "PAUSED")
            try await tasks.resumeQueue("images-j1")
            try await tasks.purgeQueue("images-j1")
            let queue = try await tasks.queue("images-j1")
            #expect(queue.retryConfig?.maxDoublings == 3)

            let created = try await tasks.createTask(CloudTask(
                name: tasks.taskName("j1-3-0", queue: "images-j1"),
                httpRequest: .init(url: "http://process/", httpMethod: "POST", headers: ["Content-Type": "application/json"], body: Data(#"{"row":3}"#.utf8),
                                   oidcToken: .init(serviceAccountEmail: "tasks@demo.iam.gserviceaccount.com", audience: "http://process/")),
                scheduleTime: "2026-11-22T11:00:00Z",
                dispatchDeadline: "600s"
            ), queue: "images-j1")
            #expect(created.httpRequest.httpMethod == "POST")

            let conflict = await #expect(throws: GoogleAPIError.self) {
                try await tasks.createTask(CloudTask(name: tasks.taskName("dup", queue: "images-j1"), httpRequest: .init(url: "http://process/")), queue: "images-j1")
            }
            #expect(conflict?.isAlreadyExists == true)
            #expect(conflict?.resource == "projects/demo/locations/us-central1/queues/images-j1/tasks/dup")

            _ = try await tasks.task("j1-3-0", queue: "images-j1")
            try await tasks.deleteTask("j1-3-0", queue: "images-j1")
            try await tasks.deleteQueue("images-j1")
        }
        let requests = server.requests
        #expect(requests.map { "\($0.method) \($0.path)" } == [
            "POST /v2/projects/demo/locations/us-central1/queues",
            "POST /v2/projects/demo/locations/us-central1/queues/images-j1:pause",
            "POST /v2/projects/demo/locations/us-central1/queues/images-j1:resume",
            "POST /v2/projects/demo/locations/us-central1/queues/images-j1:purge",
            "GET /v2/projects/demo/locations/us-central1/queues/images-j1",
            "POST /v2/projects/demo/locations/us-central1/queues/images-j1/tasks",
            "POST /v2/projects/demo/locations/us-central1/queues/images-j1/tasks",
            "GET /v2/projects/demo/locations/us-central1/queues/images-j1/tasks/j1-3-0",
            "DELETE /v2/projects/demo/locations/us-central1/queues/images-j1/tasks/j1-3-0",
            "DELETE /v2/projects/demo/locations/us-central1/queues/images-j1",
        ])
        let queue = try #require(requests[0].json)
        #expect(queue["name"] as? String == "projects/demo/locations/us-central1/queues/images-j1")
        let limits = try #require(queue["rateLimits"] as? [String: Any])
        #expect(limits["maxDispatchesPerSecond"] as? Double == 50)
        #expect(limits["maxConcurrentDispatches"] as? Int == 8)
        let retry = try #require(queue["retryConfig"] as? [String: Any])
        #expect(retry["maxAttempts"] as? Int == 5)
        #expect(retry["minBackoff"] as? String == "1s")
        #expect(retry["maxDoublings"] as? Int == 3)

        let task = try #require(requests[5].json?["task"] as? [String: Any])
        #expect(task["name"] as? String == "projects/demo/locations/us-central1/queues/images-j1/tasks/j1-3-0")
        #expect(task["scheduleTime"] as? String == "2026-11-22T11:00:00Z")
        #expect(task["dispatchDeadline"] as? String == "600s")
        let http = try #require(task["httpRequest"] as? [String: Any])
        #expect(http["url"] as? String == "http://process/")
        #expect(http["httpMethod"] as? String == "POST")
        #expect(http["body"] as? String == Data(#"{"row":3}"#.utf8).base64EncodedString())
        #expect(http["headers"] as? [String: String] == ["Content-Type": "application/json"])
        #expect((http["oidcToken"] as? [String: Any])?["serviceAccountEmail"] as? String == "tasks@demo.iam.gserviceaccount.com")
    }

    @Test("Firestore: typed values, update masks, exists preconditions and an atomic commit with increments returning transform results")
    func firestore() async throws {
        let server = RecordingServer()
        try await server.run(respond: { request, _ in
            switch (request.method, request.path) {
            case ("GET", let path) where path.hasSuffix("/jobs/missing"):
                return (404, #"{"error":{"code":404,"message":"Document not found","status":"NOT_FOUND"}}"#, [:])
            case ("POST", let path) where path.hasSuffix(":commit"):
                return (200, #"{"writeResults":[{"updateTime":"2026-11-22T10:00:00.000001Z"},{"updateTime":"2026-11-22T10:00:00.000001Z","transformResults":[{"integerValue":"41"},{"integerValue":"2"}]}],"commitTime":"2026-11-22T10:00:00.000001Z"}"#, [:])
            case ("GET", let path) where path.hasSuffix("/jobs"):
                return (200, #"{"documents":[{"name":"projects/demo/databases/(default)/documents/jobs/j1","fields":{"total":{"integerValue":"120"}}}]}"#, [:])
            default:
                return (200, #"{"name":"projects/demo/databases/(default)/documents/jobs/j1","fields":{"status":{"stringValue":"running"},"total":{"integerValue":"120"},"ratio":{"doubleValue":0.5},"tags":{"arrayValue":{"values":[{"stringValue":"a"}]}},"recipe":{"mapValue":{"fields":{"quality":{"integerValue":"50"}}}},"webhook":{"nullValue":null}},"updateTime":"2026-11-22T10:00:00Z"}"#, [:])
            }
        }) { port in
            let firestore = FirestoreClient(api: recordingAPI(port: port), project: "demo")
            struct Job: Codable, Equatable {
                struct Recipe: Codable, Equatable { var quality: Int }
                var status: String
                var total: Int
                var ratio: Double
                var tags: [String]
                var recipe: Recipe
                var webhook: String?
            }
            let job = Job(status: "running", total: 120, ratio: 0.5, tags: ["a"], recipe: .init(quality: 50), webhook: nil)
            try await firestore.create("jobs", id: "j1", fields: try FirestoreCoding.fields(from: job))
            let fetched = try #require(try await firestore.document("jobs/j1"))
            #expect(try fetched.decode(Job.self) == job)
            #expect(try await firestore.document("jobs/missing") == nil)
            try await firestore.patch("jobs/j1", fields: ["status": .string("finished")], mask: ["status"], exists: true)
            let listed = try await firestore.listAll("jobs")
            #expect(listed.first?.fields?["total"] == .integer(120))

            let result = try await firestore.commit([
                FirestoreWrite(.update(path: "jobs/j1/items/3-0", fields: ["status": .string("done")], mask: nil), precondition: .exists(false)),
                FirestoreWrite(.update(path: "jobs/j1", fields: [:], mask: []), increments: [("succeeded", .integer(1)), ("processed", .integer(1))]),
            ])
            #expect(result.writeResults?[1].transformResults == [.integer(41), .integer(2)])
            try await firestore.delete("jobs/j1")
        }
        let requests = server.requests
        #expect(requests.map { "\($0.method) \($0.path)" } == [
            "POST /v1/projects/demo/databases/(default)/documents/jobs",
            "GET /v1/projects/demo/databases/(default)/documents/jobs/j1",
            "GET /v1/projects/demo/databases/(default)/documents/jobs/missing",
            "PATCH /v1/projects/demo/databases/(default)/documents/jobs/j1",
            "GET /v1/projects/demo/databases/(default)/documents/jobs",
            "POST /v1/projects/demo/databases/(default)/documents:commit",
            "DELETE /v1/projects/demo/databases/(default)/documents/jobs/j1",
        ])
        #expect(requests[0].query == "documentId=j1")
        let created = try #require(requests[0].json?["fields"] as? [String: Any])
        #expect(created["total"] as? [String: String] == ["integerValue": "120"])
        #expect(created["ratio"] as? [String: Double] == ["doubleValue": 0.5])
        #expect(created["status"] as? [String: String] == ["stringValue": "running"])
        #expect(((created["recipe"] as? [String: Any])?["mapValue"] as? [String: Any]) != nil)
        #expect(requests[3].query == "updateMask.fieldPaths=status&currentDocument.exists=true")
        #expect(requests[4].query == "pageSize=300")

        let writes = try #require(requests[5].json?["writes"] as? [[String: Any]])
        #expect((writes[0]["update"] as? [String: Any])?["name"] as? String == "projects/demo/databases/(default)/documents/jobs/j1/items/3-0")
        #expect(writes[0]["currentDocument"] as? [String: Bool] == ["exists": false])
        #expect(writes[1]["updateMask"] as? [String: [String]] == ["fieldPaths": []])
        let transforms = try #require(writes[1]["updateTransforms"] as? [[String: Any]])
        #expect(transforms[0]["fieldPath"] as? String == "succeeded")
        #expect(transforms[0]["increment"] as? [String: String] == ["integerValue": "1"])
    }
}

@Suite("Google API plumbing")
struct GoogleAPIPlumbingTests {
    @Test("429 and 503 are retried until success; the number of attempts shows it")
    func retriesTransient() async throws {
        let server = RecordingServer()
        try await server.run(respond: { _, index in
            index == 1 ? (429, "{}", [:]) : index == 2 ? (503, "{}", [:]) : (200, #"{"messageIds":["1"]}"#, [:])
        }) { port in
            let ids = try await PubSubClient(api: recordingAPI(port: port), project: "p").publish([.init(data: Data())], to: "t")
            #expect(ids == ["1"])
        }
        #expect(server.requests.count == 3)
    }

    @Test("other 4xx are not retried", arguments: [400, 403, 404, 409, 412])
    func noRetryOnClientErrors(_ status: Int) async throws {
        let server = RecordingServer()
        try await server.run(respond: { _, _ in (status, "{}", [:]) }) { port in
            let error = await #expect(throws: GoogleAPIError.self) {
                try await PubSubClient(api: recordingAPI(port: port), project: "p").createTopic("t")
            }
            #expect(error?.httpStatus == status)
            #expect(error?.isTransient == false)
        }
        #expect(server.requests.count == 1)
    }

    @Test("retries stop at the policy's attempt limit with the last error")
    func retryLimit() async throws {
        let server = RecordingServer()
        let policy = {
            var policy = RetryPolicy.fast
            policy.maxAttempts = 3
            return policy
        }()
        try await server.run(respond: { _, _ in (503, #"{"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}}"#, [:]) }) { port in
            let error = await #expect(throws: GoogleAPIError.self) {
                try await PubSubClient(api: recordingAPI(port: port, retry: policy), project: "p").createTopic("t")
            }
            #expect(error?.status == "UNAVAILABLE")
            #expect(error?.message == "busy")
        }
        #expect(server.requests.count == 3)
    }

    @Test("backoff grows exponentially, is capped and jittered below the step")
    func backoff() {
        let policy = RetryPolicy()
        #expect(policy.backoff(beforeRetry: 1, random: 1) == .milliseconds(100))
        #expect(policy.backoff(beforeRetry: 3, random: 1) == .milliseconds(400))
        #expect(policy.backoff(beforeRetry: 20, random: 1) == .seconds(10))
        #expect(policy.backoff(beforeRetry: 3, random: 0.5) == .milliseconds(200))
    }

    @Test("emulator variables select plain HTTP per service; unset ones stay on googleapis.com")
    func endpoints() {
        let endpoints = GoogleEndpoints(environment: EnvironmentValues([
            "STORAGE_EMULATOR_HOST": "http://127.0.0.1:8085",
            "PUBSUB_EMULATOR_HOST": "127.0.0.1:8085",
            "CLOUD_TASKS_EMULATOR_HOST": "localhost:9000",
        ]))
        #expect(endpoints.storage == .init(baseURL: "http://127.0.0.1:8085", isEmulator: true))
        #expect(endpoints.pubSub == .init(baseURL: "http://127.0.0.1:8085", isEmulator: true))
        #expect(endpoints.cloudTasks == .init(baseURL: "http://localhost:9000", isEmulator: true))
        #expect(endpoints.firestore == .init(baseURL: "https://firestore.googleapis.com", isEmulator: false))
        #expect(endpoints.needsCredentials)
        #expect(!GoogleEndpoints.emulator("http://127.0.0.1:1").needsCredentials)
    }

    @Test("the metadata token is fetched with Metadata-Flavor, cached, and sent as a bearer token to real endpoints")
    func tokenCaching() async throws {
        let metadata = RecordingServer()
        let api = RecordingServer()
        try await metadata.run(respond: { _, index in
            (200, #"{"access_token":"token-\#(index)","expires_in":3599,"token_type":"Bearer"}"#, [:])
        }) { metadataPort in
            try await api.run(respond: { _, _ in (200, "{}", [:]) }) { apiPort in
                let tokens = MetadataTokenProvider(host: "127.0.0.1:\(metadataPort)")
                let endpoint = GoogleEndpoints.Endpoint(baseURL: "http://127.0.0.1:\(apiPort)", isEmulator: false)
                let client = GoogleAPIClient(endpoints: .init(storage: endpoint, pubSub: endpoint, cloudTasks: endpoint, firestore: endpoint), tokens: tokens)
                let pubsub = PubSubClient(api: client, project: "p")
                try await pubsub.createTopic("a")
                try await pubsub.createTopic("b")
            }
        }
        #expect(metadata.requests.count == 1)
        #expect(metadata.requests[0].path == "/computeMetadata/v1/instance/service-accounts/default/token")
        #expect(metadata.requests[0].headers["metadata-flavor"] == "Google")
        #expect(api.requests.map { $0.headers["authorization"] } == ["Bearer token-1", "Bearer token-1"])
    }

    @Test("a token inside the refresh margin is fetched again")
    func tokenRefresh() async throws {
        let metadata = RecordingServer()
        try await metadata.run(respond: { _, index in
            (200, #"{"access_token":"token-\#(index)","expires_in":30,"token_type":"Bearer"}"#, [:])
        }) { port in
            let tokens = MetadataTokenProvider(host: "127.0.0.1:\(port)", refreshMargin: .seconds(60))
            let first = try await tokens.accessToken()
            let second = try await tokens.accessToken()
            #expect(first == "token-1")
            #expect(second == "token-2")
        }
        #expect(metadata.requests.count == 2)
    }

    @Test("Firestore values keep their wire types", arguments: [
        (FirestoreValue.integer(9_007_199_254_740_993), #"{"integerValue":"9007199254740993"}"#),
        (.double(0.25), #"{"doubleValue":0.25}"#),
        (.string("a\"b"), #"{"stringValue":"a\"b"}"#),
        (.boolean(true), #"{"booleanValue":true}"#),
        (.null, #"{"nullValue":null}"#),
        (.timestamp("2026-11-22T10:00:00.000000Z"), #"{"timestampValue":"2026-11-22T10:00:00.000000Z"}"#),
        (.double(.infinity), #"{"doubleValue":"Infinity"}"#),
        (.array([.integer(1)]), #"{"arrayValue":{"values":[{"integerValue":"1"}]}}"#),
        (.map(["k": .string("v")]), #"{"mapValue":{"fields":{"k":{"stringValue":"v"}}}}"#),
    ])
    func firestoreValues(_ value: FirestoreValue, _ json: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: try encoder.encode(value), as: UTF8.self) == json)
        #expect(try JSONDecoder().decode(FirestoreValue.self, from: Data(json.utf8)) == value)
    }

    @Test("a Firestore value is read strictly: one type member, a real timestamp (normalised to UTC microseconds)")
    func firestoreValueStrictness() throws {
        let decoder = JSONDecoder()
        #expect(try decoder.decode(FirestoreValue.self, from: Data(#"{"timestampValue":"2026-11-22T11:00:00+01:00"}"#.utf8)) == .timestamp("2026-11-22T10:00:00.000000Z"))
        #expect(throws: DecodingError.self) { try decoder.decode(FirestoreValue.self, from: Data(#"{"timestampValue":"yesterday"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try decoder.decode(FirestoreValue.self, from: Data(#"{"stringValue":"a","integerValue":"1"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try decoder.decode(FirestoreValue.self, from: Data("{}".utf8)) }
    }
}
