import Foundation
import Testing

@testable import Emulator

/// Retry decisions with an explicit clock: no waiting.
@Suite("Delivery: task dispatch policy")
struct DeliveryPolicyTests {
    static let schedule = TaskRetrySchedule(minBackoff: .seconds(1), maxBackoff: .seconds(60), maxDoublings: 2, maxAttempts: 4, maxRetryDuration: .zero)
    static let now: Int64 = 1_700_000_000_000_000

    @Test("2xx completes; anything else retries on the queue's schedule", arguments: [
        (200, 1, TaskAttemptOutcome.completed),
        (204, 3, .completed),
        (500, 1, .retry(atMicroseconds: now + 1_000_000, status: 500, reason: "HTTP status 500")),
        (404, 2, .retry(atMicroseconds: now + 2_000_000, status: 404, reason: "HTTP status 404")),
        (500, 3, .retry(atMicroseconds: now + 4_000_000, status: 500, reason: "HTTP status 500")),
        (500, 4, .failed(status: 500, reason: "HTTP status 500")),
    ])
    func outcomes(status: Int, attempts: Int, expected: TaskAttemptOutcome) {
        #expect(TaskDispatchPolicy.outcome(status: status, retryAfter: nil, attempts: attempts, firstAttemptMicroseconds: Self.now,
                                           nowMicroseconds: Self.now, schedule: Self.schedule) == expected)
    }

    @Test("Retry-After on 429 and 503 wins when it is longer than the schedule")
    func retryAfter() {
        func at(_ status: Int, _ header: String) -> TaskAttemptOutcome {
            TaskDispatchPolicy.outcome(status: status, retryAfter: header, attempts: 1, firstAttemptMicroseconds: Self.now, nowMicroseconds: Self.now, schedule: Self.schedule)
        }
        #expect(at(429, "30") == .retry(atMicroseconds: Self.now + 30_000_000, status: 429, reason: "HTTP status 429"))
        #expect(at(503, "0") == .retry(atMicroseconds: Self.now + 1_000_000, status: 503, reason: "HTTP status 503"))
        #expect(at(500, "30") == .retry(atMicroseconds: Self.now + 1_000_000, status: 500, reason: "HTTP status 500"))
        // 2023-11-14T22:14:20Z is now + 20 s.
        #expect(at(503, "Tue, 14 Nov 2023 22:13:40 GMT") == .retry(atMicroseconds: Self.now + 20_000_000, status: 503, reason: "HTTP status 503"))
    }

    @Test("no response counts as a failed attempt with its reason")
    func noResponse() {
        #expect(TaskDispatchPolicy.outcome(status: nil, failure: "deadline exceeded", retryAfter: nil, attempts: 1, firstAttemptMicroseconds: Self.now,
                                           nowMicroseconds: Self.now, schedule: Self.schedule) == .retry(atMicroseconds: Self.now + 1_000_000, status: nil, reason: "deadline exceeded"))
    }

    @Test("recent invocations keep the newest, newest first")
    func recentInvocations() async {
        let recent = RecentInvocations(capacity: 3)
        for index in 0..<5 {
            await recent.record(Invocation(kind: .task, source: "q", item: "t\(index)", target: "http://h/", status: 200, latency: .zero, timeMicroseconds: Int64(index)))
        }
        #expect(await recent.snapshot(limit: 10).map(\.item) == ["t4", "t3", "t2"])
        #expect(await recent.snapshot(limit: 1).map(\.item) == ["t4"])
    }
}
