import Foundation
import FunctionsFramework
import GoogleCloud
import HTTPTypes
import PipelineModel
import PixelPipeCore
import StageTestSupport
import Testing

@testable import IngestStage

/// Ingest starts the job's trace: it records it on the job and sends it with the shard
/// messages and the watchdog, and a later delivery for the same job continues the job's trace
/// rather than its own. With tracing off (`PIXELPIPE_TRACING=off`) it starts and sends none.
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

    @Test("outside any trace (an untraced invocation) ingest starts none: no traceId, no traceparent on the shard messages or the watchdog")
    func untraced() async throws {
        try await StageHarness.run { harness in
            let object = try await harness.uploadCSV(Self.csv)
            let job = harness.jobID(of: object)
            _ = try await Ingestor(configuration: harness.configuration, clients: harness.clients).ingest(object, logger: harness.logger)
            #expect(try await harness.job(job)?.traceID == nil)
            #expect(try await Self.shardTraces(harness) == [nil])
            #expect(try await Self.taskTrace(harness, PipelineNames.watchdogTask(job: job)) == nil)
        }
    }

    /// `object`'s finalize event as Eventarc delivers it (binary mode), sent in trace `traceID`.
    private static func finalizeRequest(_ object: StorageObject, traceID: String) throws -> InvocationRequest {
        var headers = HTTPFields()
        let values = [
            ("ce-id", "1"), ("ce-source", "//storage.googleapis.com/projects/_/buckets/\(object.bucket)"), ("ce-specversion", "1.0"),
            ("ce-type", "google.cloud.storage.object.v1.finalized"), ("ce-subject", "objects/\(object.name)"),
            ("Content-Type", "application/json"), ("traceparent", "00-\(traceID)-00f067aa0ba902b7-01"),
        ]
        for (name, value) in values { headers.append(HTTPField(name: try #require(HTTPField.Name(name)), value: value)) }
        return InvocationRequest(headers: headers, body: try JSONEncoder().encode(object))
    }

    @Test("through the framework the event's trace becomes the job's; with tracing off the job, its shard messages and its watchdog carry none", arguments: [true, false])
    func invocation(traced: Bool) async throws {
        try await StageHarness.run(configure: { $0.rowsPerShard = 1 }) { harness in
            let object = try await harness.uploadCSV(Self.csv)
            let job = harness.jobID(of: object)
            let function = FunctionDefinition(name: "ingest", cloudEvent: IngestFunction(ingestor: Ingestor(configuration: harness.configuration, clients: harness.clients)))
            let dispatcher = InvocationDispatcher(configuration: FunctionConfiguration(service: "ingest"), tracing: TracingConfiguration(enabled: traced), logger: harness.logger)
            let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
            let response = await dispatcher.respond(to: try Self.finalizeRequest(object, traceID: traceID), with: function.handler, signature: function.signature)
            #expect(response.status == .noContent)
            let expected = traced ? traceID : nil
            #expect(try await harness.job(job)?.traceID == expected)
            #expect(try await Self.shardTraces(harness) == [expected, expected])
            #expect(try await Self.taskTrace(harness, PipelineNames.watchdogTask(job: job)) == expected)
        }
    }
}
