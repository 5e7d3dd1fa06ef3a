import Foundation
import GoogleCloud
import PipelineModel
import Testing
import TestSupport

/// At-least-once delivery, shown from outside: a finished job is hit again with each kind of
/// repeat the real services may produce — the finalize event, a shard message, an image task —
/// and nothing about it changes: counters, items, outputs, output CSV, one webhook.
@Suite("Pipeline end to end: repeated deliveries change nothing", .serialized, .sharedPipeline())
struct PipelineEndToEndDuplicateTests {
    /// A small job: four products, seven images.
    static func smallJob(_ images: ImageServer, first: Int) -> ProductCSV {
        var csv = ProductCSV()
        csv.add("Lamp", [images.url(first), images.url(first + 1)])
        csv.add("Chair, oak", [images.url(first + 2)])
        csv.add("Table", [images.url(first + 3), images.url(first + 4), images.url(first + 5)])
        csv.add("Rug", [images.url(first + 6)])
        return csv
    }

    /// Uploads a small job, waits for it to finish and for the pipeline to go idle, and checks
    /// it finished completely.
    static func finishedJob(_ pipeline: PipelineHarness, name: String, first: Int) async throws -> (UploadedCSV, JobSnapshot) {
        let upload = try await pipeline.upload(csv: smallJob(pipeline.images, first: first).text, name: name)
        let job = try await pipeline.awaitFinal(upload.job)
        #expect(job.status == .finished && job.succeeded == 7 && job.failed == 0, "job \(job.id): \(job.status.rawValue) \(job.succeeded)/\(job.failed) of \(job.total)")
        try await pipeline.emulator.awaitIdle()
        let snapshot = try await JobSnapshot(upload, in: pipeline)
        #expect(snapshot.webhookCalls == 1)
        #expect(snapshot.jobQueueExists == false)
        return (upload, snapshot)
    }

    static func expectUnchanged(_ before: JobSnapshot, _ after: JobSnapshot, what: String) {
        #expect(after.content == before.content, "\(what) changed the job:\nbefore: \(before.content)\nafter:  \(after.content)")
        let rewritten = after.rewrittenObjects(since: before)
        if !rewritten.isEmpty {
            // Same bytes under a new generation: not a change users see, but worth knowing.
            print("note: \(what) rewrote \(rewritten.count) objects with identical content: \(rewritten.prefix(4))")
        }
    }

    @Test("the same finalize event delivered again creates no second job, queue, task or webhook")
    func finalizeTwice() async throws {
        let pipeline = try SharedPipeline.harness()
        let (upload, before) = try await Self.finishedJob(pipeline, name: "dup-finalize.csv", first: 1000)

        let response = try await pipeline.redeliverFinalize(of: upload)
        #expect((200..<300).contains(response.status), "ingest answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        try await pipeline.emulator.awaitIdle()

        Self.expectUnchanged(before, try await JobSnapshot(upload, in: pipeline), what: "the repeated finalize event")
    }

    @Test("a shard message published again after completion creates no task and counts nothing")
    func shardTwice() async throws {
        let pipeline = try SharedPipeline.harness()
        // A pull subscription on the shards topic keeps a copy of what ingest publishes.
        let tap = "shards-tap-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await pipeline.clients.pubSub.createSubscription(tap, PubSubSubscription(topic: pipeline.clients.pubSub.topicName(pipeline.configuration.shardsTopic)))
        let (upload, before) = try await Self.finishedJob(pipeline, name: "dup-shard.csv", first: 1100)

        let copies = try await pipeline.clients.pubSub.pull(tap)
        let shards = copies.filter { received in
            (received.message.data.flatMap { try? JSONDecoder().decode(ShardMessage.self, from: $0) })?.job == upload.job
        }
        #expect(!shards.isEmpty, "ingest published no shard message for job \(upload.job) (pulled \(copies.count))")
        _ = try await pipeline.clients.pubSub.publish(
            shards.map { PubSubOutgoingMessage(data: $0.message.data ?? Data(), attributes: $0.message.attributes, orderingKey: $0.message.orderingKey) },
            to: pipeline.configuration.shardsTopic
        )
        try await pipeline.emulator.awaitIdle()
        let status = try await pipeline.emulator.status()
        #expect(status.subscriptions.first { $0.name == "shards-populate" }?.deadLettered == 0, "populate did not accept the repeated shard: it was dead-lettered")

        Self.expectUnchanged(before, try await JobSnapshot(upload, in: pipeline), what: "the repeated shard message")
    }

    @Test("an image task run again after it succeeded is answered 2xx and counts nothing")
    func taskRerun() async throws {
        let pipeline = try SharedPipeline.harness()
        let (upload, before) = try await Self.finishedJob(pipeline, name: "dup-task.csv", first: 1200)
        let job = try #require(try await pipeline.job(upload.job))
        let items = try await pipeline.items(upload.job)
        let item = try #require(items["3-2"], "no item 3-2 among \(items.keys.sorted())")
        let task = ImageTask(job: upload.job, row: item.row, index: item.index, url: try #require(item.url), product: item.product, recipe: job.recipe ?? PipelineHarness.recipe)

        let response = try await pipeline.runImageTask(task)
        #expect((200..<300).contains(response.status), "process answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        // And once more as a retry, as the queue would send it.
        let retry = try await pipeline.runImageTask(task, retryCount: 1)
        #expect((200..<300).contains(retry.status), "process answered \(retry.status) to the retry")
        try await pipeline.emulator.awaitIdle()

        Self.expectUnchanged(before, try await JobSnapshot(upload, in: pipeline), what: "the re-run image task")
    }
}
