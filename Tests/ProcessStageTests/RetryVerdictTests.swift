import Foundation
import FunctionsFramework
import GoogleCloud
import PipelineModel
import StageTestSupport
import Testing

@testable import ProcessStage

/// `RetryVerdict` against queues in the in-process emulator: the queue's own retry settings
/// decide the final attempt; the configuration only when the queue cannot be read.
@Suite("Process stage: retry verdict (in process)")
struct RetryVerdictTests {
    /// (queue's maxAttempts, or nil for a queue that does not exist; the attempt; whether it was the last).
    static let cases: [(queueAttempts: Int?, attempt: Int, givesUp: Bool)] = [
        (2, 1, false), (2, 2, true), (7, 5, false), (7, 7, true),
        // No queue to read: the fallback's 5 attempts decide.
        (nil, 4, false), (nil, 5, true),
    ]

    @Test("the queue's own maxAttempts decides whether an attempt was its last, over this process's configuration", arguments: cases.indices)
    func queueDecides(_ number: Int) async throws {
        let (queueAttempts, attempt, givesUp) = Self.cases[number]
        try await StageHarness.run { harness in
            var fallback = PipelineConfiguration.ImageQueue()
            fallback.maxAttempts = 5
            fallback.maxRetryDuration = .zero
            let queue = PipelineNames.imageQueue(job: "0123456789abcdef")
            if let queueAttempts {
                var settings = fallback
                settings.maxAttempts = queueAttempts
                _ = try await harness.clients.tasks.createQueue(queue, retryConfig: settings.retryConfig)
            }
            let verdict = RetryVerdict(tasks: harness.clients.tasks, fallback: fallback)
            let task = CloudTaskHeaders(queueName: queue, taskName: "0123456789abcdef-1-1", retryCount: attempt - 1)
            let answer = try await verdict.givesUp(after: attempt, of: task, now: Date())
            #expect(answer.givesUp == givesUp)
        }
    }

    @Test("describe says how long a task was retried in words", arguments: [(12.0, "12 s"), (1864, "31 min 4 s"), (7380, "2 h 3 min"), (-3, "0 s")])
    func describe(_ interval: TimeInterval, _ words: String) {
        #expect(ImageTaskHandler.describe(interval) == words)
    }
}
