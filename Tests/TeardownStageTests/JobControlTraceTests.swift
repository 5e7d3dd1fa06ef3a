import Foundation
import FunctionsFramework
import GoogleCloud
import PixelPipeCore
import StageTestSupport
import Testing

@testable import PipelineModel
@testable import TeardownStage

/// The jobs API's cancel runs in no trace of the job's own; the task it schedules must still
/// carry the job's, so teardown's lines about the cancel join the job's trace.
@Suite("Teardown stage: cancel continues the job's trace (in process)")
struct JobControlTraceTests {
    @Test("a cancel outside any trace schedules cancel-JOB in a new span of the job's recorded trace")
    func cancelCarriesJobTrace() async throws {
        try await StageHarness.run { harness in
            var job = try await JobControlTests.makeJob(harness, webhookURL: nil)
            job.traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
            try await harness.writeJob(job)
            #expect(TraceParent.current == nil)
            try await JobControl(clients: harness.clients, configuration: harness.configuration).cancel(job.id, logger: harness.logger)
            let task = try await harness.clients.tasks.task(PipelineNames.cancelTask(job: job.id), queue: harness.configuration.controlQueue)
            let parent = try #require(task.httpRequest.headers?["traceparent"].flatMap(TraceParent.init(header:)))
            #expect(parent.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
            #expect(parent.sampled)
        }
    }

    @Test("with tracing off the api's cancel schedules cancel-JOB without a traceparent, even for a job that recorded a trace")
    func cancelUntraced() async throws {
        try await StageHarness.run { harness in
            var job = try await JobControlTests.makeJob(harness, webhookURL: nil)
            job.traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
            try await harness.writeJob(job)
            try await JobControl(clients: harness.clients, configuration: harness.configuration, tracing: .off).cancel(job.id, logger: harness.logger)
            let task = try await harness.clients.tasks.task(PipelineNames.cancelTask(job: job.id), queue: harness.configuration.controlQueue)
            #expect(task.httpRequest.headers?["traceparent"] == nil)
        }
    }
}
