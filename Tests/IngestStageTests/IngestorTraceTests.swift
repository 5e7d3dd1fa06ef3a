import Foundation
import FunctionsFramework
import GoogleCloud
import PipelineModel
import PixelPipeCore
import StageTestSupport
import Testing

@testable import IngestStage

/// Ingest starts the job's trace: it records it on the job and sends it with the shard
/// messages and the watchdog, and a later delivery for the same job continues the job's trace
/// rather than its own.
@Suite("Ingest stage: the job's trace")
struct IngestorTraceTests {
    static let csv = "S. No.,Product Name,Input Image Urls\r\n1,Hat,https://img.example/c.jpg\r\n2,Scarf,https://img.example/d.jpg\r\n"

    /// The trace ids of the shard messages waiting on the test subscription (acknowledged).
    private static func shardTraces(_ harness: StageHarness) async throws -> [String?] {
        let received = try await harness.clients.pubSub.pull(StageHarness.shardsSubscription, maxMessages: 100)
        if !received.isEmpty { try await harness.clients.pubSub.acknowledge(received.map(\.ackId), on: StageHarness.shardsSubscription) }
        return received.map { $0.message.attributes?["traceparent"].flatMap(TraceParent.init(header:))?.traceID }
    }

    /// The trace id in the `traceparent` header of task `name` on the control queue.
    private static func taskTrace(_ harness: StageHarness, _ name: String) async throws -> String? {
        let task = try await harness.clients.tasks.task(name, queue: harness.configuration.controlQueue)
        return task.httpRequest.headers?["traceparent"].flatMap(TraceParent.init(header:))?.traceID
    }

    @Test("the invocation's trace becomes the job's: recorded as traceId, on every shard message and on the watchdog")
    func recordsAndSendsTrace() async throws {
        try await StageHarness.run(configure: { $0.rowsPerShard = 1 }) { harness in
            let object = try await harness.uploadCSV(Self.csv)
            let job = harness.jobID(of: object)
            let invocation = TraceParent(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7", sampled: false)
            _ = try await TraceParent.withCurrent(invocation) {
                try await Ingestor(configuration: harness.configuration, clients: harness.clients).ingest(object, logger: harness.logger)
            }
            #expect(try await harness.job(job)?.traceID == invocation.traceID)
            #expect(try await Self.shardTraces(harness) == [invocation.traceID, invocation.traceID])
            #expect(try await Self.taskTrace(harness, PipelineNames.watchdogTask(job: job)) == invocation.traceID)
            // Sampled, whatever the caller decided: a job is worth a whole trace.
            let header = try await harness.clients.tasks.task(PipelineNames.watchdogTask(job: job), queue: harness.configuration.controlQueue).httpRequest.headers?["traceparent"]
            #expect(header?.hasSuffix("-01") == true, "\(header ?? "none")")
        }
    }

    @Test("a delivery that finishes an interrupted ingest continues the job's recorded trace, not its own")
    func continuesRecordedTrace() async throws {
        try await StageHarness.run { harness in
            let object = try await harness.uploadCSV(Self.csv)
            let job = harness.jobID(of: object)
            let ingestor = Ingestor(configuration: harness.configuration, clients: harness.clients)
            let first = TraceParent.newTrace()
            _ = try await TraceParent.withCurrent(first) { try await ingestor.ingest(object, logger: harness.logger) }
            _ = try await Self.shardTraces(harness)
            // As if the first delivery had stopped before marking the job published.
            _ = try await JobStore(firestore: harness.clients.firestore).update(job, .init(published: false))

            let second = TraceParent.newTrace()
            let outcome = try await TraceParent.withCurrent(second) { try await ingestor.ingest(object, logger: harness.logger) }
            #expect(outcome == .accepted(job: job, items: 2, shards: 1))
            #expect(try await harness.job(job)?.traceID == first.traceID)
            #expect(try await Self.shardTraces(harness) == [first.traceID])
        }
    }

    @Test("outside any trace ingest starts one for the job")
    func startsTrace() async throws {
        try await StageHarness.run { harness in
            let object = try await harness.uploadCSV(Self.csv)
            _ = try await Ingestor(configuration: harness.configuration, clients: harness.clients).ingest(object, logger: harness.logger)
            let trace = try #require(try await harness.job(harness.jobID(of: object))?.traceID)
            #expect(try await Self.shardTraces(harness) == [trace])
        }
    }
}
