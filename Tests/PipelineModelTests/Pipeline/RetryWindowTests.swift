import Foundation
import GoogleCloud
import PipelineModel
import PixelPipeCore
import Testing

/// The image queue waits out outages: an image failing transiently is retried until both
/// `maxAttempts` and the `maxRetryDuration` window are spent, as Cloud Tasks decides; a job's
/// deadline grows with its size.
@Suite("Pipeline: retry window and deadlines")
struct RetryWindowTests {
    static let first = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("the queue gives up only after both maxAttempts and maxRetryDuration (a twentieth early, 5 s at most)", arguments: [
        // attempt, seconds since the first attempt, gives up
        (4, 3600.0, false),  // attempts not spent
        (5, 10.0, false),    // window not spent
        (5, 1794.0, false),
        (5, 1795.0, true),   // within the margin of the 30-minute window
        (12, 1900.0, true),
    ])
    func givesUp(_ row: (attempt: Int, elapsed: TimeInterval, expected: Bool)) {
        let queue = PipelineConfiguration.ImageQueue()
        #expect(queue.maxAttempts == 5 && queue.maxRetryDuration == .seconds(1800))
        #expect(queue.givesUp(afterAttempt: row.attempt, firstAttempt: Self.first, now: Self.first.addingTimeInterval(row.elapsed)) == row.expected)
    }

    @Test("without a window, or when the queue does not report the first attempt, maxAttempts alone decides")
    func attemptsAlone() {
        var queue = PipelineConfiguration.ImageQueue()
        #expect(queue.givesUp(afterAttempt: 5, firstAttempt: nil, now: Self.first))
        queue.maxRetryDuration = .zero
        #expect(queue.givesUp(afterAttempt: 5, firstAttempt: Self.first, now: Self.first))
        #expect(!queue.givesUp(afterAttempt: 4, firstAttempt: Self.first, now: Self.first))
        #expect(queue.retryConfig.maxRetryDuration == nil)
    }

    @Test("the queue is created with the window; IMAGE_QUEUE_MAX_RETRY_DURATION and JOB_DEADLINE_PER_IMAGE are read from the environment")
    func configuration() throws {
        #expect(PipelineConfiguration.ImageQueue().retryConfig.maxRetryDuration == "1800s")
        let configuration = try PipelineConfiguration(environment: EnvironmentValues([
            "GOOGLE_CLOUD_PROJECT": "p", "IMAGE_QUEUE_MAX_RETRY_DURATION": "90", "JOB_DEADLINE": "600", "JOB_DEADLINE_PER_IMAGE": "0.5",
        ]))
        #expect(configuration.imageQueue.maxRetryDuration == .seconds(90))
        #expect(configuration.jobDeadline(forItems: 0) == .seconds(600))
        #expect(configuration.jobDeadline(forItems: 10_000) == .seconds(5600), "a 10,000-image job gets 5,000 s more")
        #expect(throws: ConfigurationError.self) {
            _ = try PipelineConfiguration(environment: EnvironmentValues(["GOOGLE_CLOUD_PROJECT": "p", "IMAGE_QUEUE_MAX_RETRY_DURATION": "soon"]))
        }
    }
}
