import Foundation
import GoogleCloud
import Testing

@Suite("Pub/Sub resources")
struct PubSubModelTests {
    @Test("a pull subscription, which Google returns with an empty pushConfig, decodes")
    func pullSubscription() throws {
        let json = #"{"name":"projects/p/subscriptions/tap","topic":"projects/p/topics/shards","pushConfig":{},"ackDeadlineSeconds":10}"#
        let subscription = try JSONDecoder().decode(PubSubSubscription.self, from: Data(json.utf8))
        #expect(subscription.pushConfig?.pushEndpoint == nil)
        #expect(subscription.ackDeadlineSeconds == 10)
    }
}
