import Foundation
import FunctionsFramework
import GoogleCloud
import PipelineModel
import PixelPipeCore
import StageTestSupport
import Testing
import TestSupport

@testable import TeardownStage

/// The finalizer lease renewed while a finalization outlasts it: a short lease, and a webhook
/// receiver that answers only after several lease durations.
@Suite("Teardown stage: finalizer lease renewal (in process)")
struct FinalizerLeaseRenewalTests {
    /// Short, so that the webhook's delay spans several leases; renewed every third of a second,
    /// which leaves room for a slow emulator write on a loaded machine.
    static let lease: Duration = .seconds(1)
    static let webhookDelay: Duration = .milliseconds(2500)

    /// The harness, a finalizer with the short lease, and a webhook receiver answering 200 after
    /// `webhookDelay`.
    static func run(_ body: @Sendable (StageHarness, JobFinalizer, RecordingServer, String) async throws -> Void) async throws {
        let receiver = RecordingServer()
        try await receiver.run(respond: { _, _ in (200, "{}", [:]) }, delay: { _ in webhookDelay }) { port in
            try await StageHarness.run { harness in
                var configuration = TeardownConfiguration(pipeline: harness.configuration, webhookSecret: JobFinalizerTests.secret)
                configuration.leaseDuration = lease
                let finalizer = JobFinalizer(clients: harness.clients, configuration: configuration)
                try await body(harness, finalizer, receiver, "http://127.0.0.1:\(port)/hooks/pixelpipe")
            }
        }
    }

    /// A complete job of one row with its one item recorded.
    static func completeJob(_ harness: StageHarness, webhookURL: String) async throws -> JobRecord {
        let job = try await JobFinalizerTests.createJob(harness, csv: "Product Name,Image URL\nLamp,https://img.example/lamp.png\n", total: 1, rows: 1,
                                                        webhookURL: webhookURL, counts: (1, 0))
        try await harness.writeItem(.init(row: 1, index: 1, url: "https://img.example/lamp.png", product: "Lamp", status: .succeeded,
                                          outputs: [JobFinalizerTests.output(harness, job: job.id, row: 1, index: 1, product: "Lamp")],
                                          recordedAt: Timestamp.format(Date())), job: job.id)
        return job
    }

    /// Overwrites the lease as another holder. The overwrite is conditional on the update time
    /// it read, so a renewal landing in between makes it fail: it is tried again until it lands.
    static func takeOver(_ job: JobID, as holder: String, harness: StageHarness) async throws {
        try await eventually("the lease overwritten by \(holder)", within: .seconds(3), interval: .milliseconds(10)) {
            (try? await harness.holdFinalizerLease(job, holder: holder, expiresAt: Date().addingTimeInterval(60))).map { () }
        }
    }

    @Test("a holder sending a slow webhook keeps its lease renewed: an attempt long after the first expiry is turned away (transient), and one webhook is sent")
    func renewedLeaseTurnsOthersAway() async throws {
        try await Self.run { harness, finalizer, receiver, webhookURL in
            let job = try await Self.completeJob(harness, webhookURL: webhookURL)
            let started = Date()
            async let first = finalizer.finalize(job: job.id, trigger: .task(.complete), holder: "teardown-\(job.id)", logger: harness.logger)

            try await eventually("the webhook in flight", within: .seconds(5), interval: .milliseconds(20)) { receiver.requests.isEmpty ? nil : () }
            // Half a lease past its first expiry: without renewals it would have been free by now.
            try await eventually("the lease's first expiry passed", within: .seconds(3), interval: .milliseconds(20)) {
                Date().timeIntervalSince(started) > 1.5 * Self.lease.timeInterval ? () : nil
            }
            let (lease, _) = try #require(try await harness.jobs.lease(job.id))
            #expect(lease.holder == "teardown-\(job.id)")
            #expect(try #require(Timestamp.parse(lease.expiresAt)) > Date())

            do {
                _ = try await finalizer.finalize(job: job.id, trigger: .direct(deadline: false), holder: "direct-call", logger: harness.logger)
                Issue.record("a second finalization ran while the first held the lease")
            } catch let error as InvocationError {
                #expect(error.disposition == .transient && error.retryAfter != nil, "\(error)")
                #expect(error.description.contains("being finalized by another invocation"), "\(error)")
            }

            let summary = try await first
            #expect(summary.status == .finished)
            #expect(receiver.requests.count == 1)
            #expect(try await harness.job(job.id)?.webhookDeliveredAt != nil)
            #expect(try await harness.finalizerLeaseExists(job.id) == false)
        }
    }

    @Test("a holder whose lease is taken over while it sends the webhook stops (transient) without recording the delivery, and leaves the new holder's lease alone")
    func takenOverHolderStops() async throws {
        try await Self.run { harness, finalizer, receiver, webhookURL in
            let job = try await Self.completeJob(harness, webhookURL: webhookURL)
            async let first = finalizer.finalize(job: job.id, trigger: .task(.complete), holder: "teardown-\(job.id)", logger: harness.logger)

            try await eventually("the webhook in flight", within: .seconds(5), interval: .milliseconds(20)) { receiver.requests.isEmpty ? nil : () }
            try await Self.takeOver(job.id, as: "watchdog-\(job.id)-0", harness: harness)
            let takenOver = ContinuousClock.now

            do {
                _ = try await first
                Issue.record("the holder finished after losing its lease")
            } catch let error as InvocationError {
                #expect(error.disposition == .transient && error.retryAfter != nil, "\(error)")
                #expect(error.description.contains("lost its finalizer lease"), "\(error)")
            }
            // Stopped at the next renewal, with the webhook call cancelled before it was answered.
            #expect(ContinuousClock.now - takenOver < Self.webhookDelay)
            #expect(receiver.answeredPaths.isEmpty)
            #expect(try await harness.job(job.id)?.webhookDeliveredAt == nil)
            #expect(try await harness.jobs.lease(job.id)?.lease.holder == "watchdog-\(job.id)-0")
        }
    }

    @Test("a lease taken over mid-work cancels the body; a body that carries on regardless is stopped by checkHeld before its write")
    func takenOverBeforeFinalWrite() async throws {
        try await StageHarness.run { harness in
            let job: JobID = "0123456789abcdef"
            let steps = Recorder<String>()
            let jobs = harness.jobs
            let holding = Task {
                try await FinalizerLease.holding(job: job, holder: "teardown", duration: Self.lease, jobs: jobs, logger: harness.logger) { lease in
                    steps.record("working")
                    // Work that ignores cancellation, bounded: the write below must still not happen.
                    let limit = ContinuousClock.now + .seconds(3)
                    while !Task.isCancelled, ContinuousClock.now < limit {
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                    #expect(Task.isCancelled)
                    try lease.checkHeld()
                    steps.record("wrote")
                }
            }
            try await eventually("the body running", within: .seconds(3), interval: .milliseconds(20)) { steps.all.contains("working") ? () : nil }
            try await Self.takeOver(job, as: "watchdog", harness: harness)

            let result = await holding.result
            guard case .failure(let error as InvocationError) = result else {
                Issue.record("holding ended with \(result) after the lease was taken over")
                return
            }
            #expect(error.disposition == .transient, "\(error)")
            #expect(steps.all == ["working"])
            #expect(try await harness.jobs.lease(job)?.lease.holder == "watchdog")
        }
    }
}
