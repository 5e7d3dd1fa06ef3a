import Foundation
import GoogleCloud
import Testing
import TestSupport

@testable import Emulator

/// What works locally but breaks at scale in Google Cloud is flagged as it happens: in the log,
/// on the dashboard and in `/_emulator/status`.
@Suite("Scale warnings")
struct ScaleWarningsTests {
    @Test("ten writes to one document within ten seconds warn, naming it; the same writes spread over documents do not")
    func documentWriteRate() {
        let warnings = ScaleWarnings()
        for round in 0..<ScaleWarnings.sustainedWrites {
            warnings.documentsWritten((0..<20).map { "projects/p/databases/(default)/documents/spread/d\($0)-\(round)" })
        }
        #expect(warnings.recent.isEmpty)
        for _ in 1..<ScaleWarnings.sustainedWrites { warnings.documentsWritten(["projects/p/databases/(default)/documents/counters/hot"]) }
        #expect(warnings.recent.isEmpty, "nine writes are not ten")
        warnings.documentsWritten(["projects/p/databases/(default)/documents/counters/hot"])
        warnings.documentsWritten(["projects/p/databases/(default)/documents/counters/hot"])
        let flagged = try? #require(warnings.recent.first)
        #expect(warnings.recent.count == 1)
        #expect(flagged?.kind == .documentWriteRate && flagged?.resource == "projects/p/databases/(default)/documents/counters/hot")
        #expect(flagged?.count == 2 && flagged?.message.contains("one write per second per document") == true)
    }

    @Test("the dashboard and /_emulator/status show a document committed twelve times in a row", .timeLimit(.minutes(1)))
    func shownOnDashboard() async throws {
        try await TestEmulator.run { emulator in
            let documents = "/v1/projects/demo/databases/(default)/documents"
            for count in 1...12 {
                let body = #"{"writes":[{"update":{"name":"projects/demo/databases/(default)/documents/counters/hot","fields":{"n":{"integerValue":"\#(count)"}}}}]}"#
                #expect(try await emulator.send("POST", "\(documents):commit", json: body).status == 200)
            }
            let status = try await emulator.send("GET", "/_emulator/status")
            let warnings = try #require(status.json["warnings"] as? [[String: Any]], "\(status.json)")
            #expect(warnings.first?["kind"] as? String == "document-write-rate")
            #expect(warnings.first?["resource"] as? String == "projects/demo/databases/(default)/documents/counters/hot")
            #expect(warnings.first?["count"] as? Int == 3)
            let page = try await emulator.send("GET", "/dashboard")
            #expect(page.text.contains("Works here, breaks at scale") && page.text.contains("counters/hot"))
            let text = try await emulator.send("GET", "/_emulator/status?format=text")
            #expect(text.text.contains("document-write-rate  projects/demo/databases/(default)/documents/counters/hot  ×3"), "\(text.text)")
        }
    }

    @Test("a push endpoint slower than the ack deadline is flagged with its subscription; a quick one is not", .timeLimit(.minutes(1)))
    func slowPush() async throws {
        let handler = TestHandler()
        try await handler.run(delays: { $0 == 1 ? .zero : .seconds(4) }) { url in
            var subscription = Emulator.PubSubSubscription(topic: "projects/demo/topics/t")
            subscription.name = "projects/demo/subscriptions/slow"
            subscription.pushConfig = .init(pushEndpoint: url)
            var settings = try #require(PushSubscriptionSettings(subscription))
            settings.ackDeadline = .seconds(3)
            let warnings = ScaleWarnings()
            let sender = PushSender(client: HTTPClient(), tokens: nil, warnings: warnings)
            let message = ClaimedMessage(subscription: settings.name, messageID: 1, data: Data("hi".utf8), attributes: nil, orderingKey: nil,
                                         publishTime: .now(), attempt: 1, leaseEndMicroseconds: 0)
            _ = await sender.send(message, in: settings)
            #expect(warnings.recent.isEmpty, "the first answer was immediate")
            _ = await sender.send(message, in: settings)
            let flagged = try #require(warnings.recent.first)
            #expect(flagged.kind == .pushSlowerThanAckDeadline && flagged.resource == "projects/demo/subscriptions/slow")
            #expect(flagged.message.contains(url))
        }
    }
}
