import Foundation
import GRDB
import PipelineModel
import Testing
import TestSupport

/// One trace per job: a job submitted through the jobs API under `emulator up` is followed by
/// its trace id through every stage's log lines about it, its shard messages, its tasks'
/// requests and its webhook. The messages and tasks are read from the emulator's own SQLite
/// database, where a trigger copies each as it is stored (tasks are deleted once they ran).
/// With `PIXELPIPE_TRACING=off` none of them carries a trace.
@Suite("Pipeline end to end: one trace per job", .serialized)
struct PipelineEndToEndTraceTests {
    @Test("one trace id on every stage's log lines about the job, its shard messages, its tasks' requests, its webhook and the job resource")
    func oneTracePerJob() async throws {
        // Debug lines too, so every stage has lines about the job; 2 shard messages of 20 rows.
        try await withPipeline(environment: ["LOG_LEVEL": "debug", "SHARD_ROWS": "20"]) { pipeline in
            let wire = try WireLog(dataDirectory: pipeline.emulator.dataDirectory)
            let api = try await JobsAPI.signedIn(pipeline)
            var csv = "S. No.,Product Name,Input Image Urls\r\n"
            for row in 1...24 { csv += "\(row),Traced product \(row),\(pipeline.images.url(7000 + row))\r\n" }
            // A URL populate refuses: a failed item populate records itself.
            csv += "25,Refused product,ftp://images.example/25.jpg\r\n"
            let submitted = try JobsAPI.decode(JobResource.self, try await api.submit(csv: csv, fileName: "traced.csv"))
            let job = try await api.awaitFinal(submitted.id)
            #expect(job.status == .finishedWithErrors, "job \(job.id): \(job.status.rawValue)")
            try await pipeline.emulator.awaitIdle()

            let trace = try #require(job.traceId, "the job resource has no traceId")
            #expect(trace.count == 32 && trace.allSatisfy(\.isHexDigit) && trace == trace.lowercased(), "traceId \(trace)")

            // Every stage's log lines about the job.
            let lines = StageLogLine.parse(pipeline.emulator.lines).filter {
                PipelineEmulator.stages.contains($0.stage) && $0.fields["pixelpipe.job"] as? String == job.id
            }
            let stages = Set(lines.map(\.stage))
            #expect(stages.isSuperset(of: PipelineEmulator.stages), "stages with lines about job \(job.id): \(stages.sorted())")
            // `projects/PROJECT/traces/TRACE`, as Cloud Logging links a line to its trace.
            let traces = Set(lines.map { $0.fields["logging.googleapis.com/trace"] as? String ?? "none" })
            #expect(traces.count == 1 && traces.first?.hasPrefix("projects/") == true && traces.first?.hasSuffix("/traces/\(trace)") == true,
                    "traces on \(lines.count) lines: \(traces.sorted())")
            let unspanned = lines.filter { ($0.fields["logging.googleapis.com/spanId"] as? String)?.count != 16 }
            #expect(unspanned.isEmpty, "lines without a spanId: \(unspanned.prefix(3).map(\.text))")
            let unsampled = lines.filter { $0.fields["logging.googleapis.com/trace_sampled"] as? Bool != true }
            #expect(unsampled.isEmpty, "lines not marked trace_sampled: \(unsampled.prefix(3).map(\.text))")
            // Each stage continued the trace in spans of its own.
            let spans = Dictionary(grouping: lines, by: \.stage).mapValues { Set($0.compactMap { $0.fields["logging.googleapis.com/spanId"] as? String }) }
            for stage in ["ingest", "populate"] {
                for other in PipelineEmulator.stages where other != stage {
                    #expect(spans[stage, default: []].isDisjoint(with: spans[other, default: []]), "\(stage) and \(other) share a span")
                }
            }

            // The shard messages' attributes.
            let messages = try wire.messages(mentioning: job.id)
            #expect(messages.count == 2, "\(messages.count) shard messages")
            for attributes in messages {
                #expect(TraceID(attributes["traceparent"]) == trace, "shard message attributes \(attributes)")
            }

            // The image tasks' and the teardown tasks' requests.
            let tasks = try wire.tasks(mentioning: job.id)
            let imageTasks = tasks.filter { $0.queue.hasSuffix("/images-\(job.id)") }
            #expect(imageTasks.count == 24, "\(imageTasks.count) image tasks")
            #expect(tasks.contains { $0.name.hasSuffix("/teardown-\(job.id)") }, "no teardown task among \(tasks.map(\.name))")
            #expect(tasks.contains { $0.name.hasSuffix("/watchdog-\(job.id)") }, "no watchdog task among \(tasks.map(\.name))")
            for task in tasks {
                #expect(TraceID(task.headers["traceparent"]) == trace, "task \(task.name) headers \(task.headers)")
            }

            // The webhook request (the API's jobs go to the configured WEBHOOK_URL).
            let calls = pipeline.webhooks.requests.filter { $0.path == "/hooks/default" }
            #expect(calls.count == 1, "\(calls.count) webhook calls")
            for call in calls {
                #expect(TraceID(call.headers["traceparent"]) == trace, "webhook headers \(call.headers)")
            }
        }
    }

    @Test("with PIXELPIPE_TRACING=off no trace at all: no traceId, no trace fields on any stage's lines, no traceparent on messages, tasks or the webhook")
    func tracingOff() async throws {
        try await withPipeline(environment: ["LOG_LEVEL": "debug", "SHARD_ROWS": "20", "PIXELPIPE_TRACING": "off"]) { pipeline in
            let wire = try WireLog(dataDirectory: pipeline.emulator.dataDirectory)
            let api = try await JobsAPI.signedIn(pipeline)
            var csv = "S. No.,Product Name,Input Image Urls\r\n"
            for row in 1...24 { csv += "\(row),Untraced product \(row),\(pipeline.images.url(7100 + row))\r\n" }
            csv += "25,Refused product,ftp://images.example/25.jpg\r\n"
            let submitted = try JobsAPI.decode(JobResource.self, try await api.submit(csv: csv, fileName: "untraced.csv"))
            let job = try await api.awaitFinal(submitted.id)
            #expect(job.status == .finishedWithErrors, "job \(job.id): \(job.status.rawValue)")
            try await pipeline.emulator.awaitIdle()
            #expect(job.traceId == nil)

            let lines = StageLogLine.parse(pipeline.emulator.lines).filter { PipelineEmulator.stages.contains($0.stage) }
            #expect(Set(lines.map(\.stage)).isSuperset(of: PipelineEmulator.stages), "stages with lines: \(Set(lines.map(\.stage)).sorted())")
            let traced = lines.filter { $0.fields.keys.contains { $0.hasPrefix("logging.googleapis.com/trace") || $0 == "logging.googleapis.com/spanId" } }
            #expect(traced.isEmpty, "lines with trace fields: \(traced.prefix(3).map(\.text))")

            let messages = try wire.messages(mentioning: job.id)
            #expect(messages.count == 2, "\(messages.count) shard messages")
            #expect(messages.allSatisfy { $0["traceparent"] == nil }, "shard message attributes \(messages)")
            let tasks = try wire.tasks(mentioning: job.id)
            #expect(tasks.count >= 26, "\(tasks.count) tasks")
            let tracedTasks = tasks.filter { $0.headers.keys.contains { $0.lowercased() == "traceparent" } }
            #expect(tracedTasks.isEmpty, "tasks with a traceparent: \(tracedTasks.map(\.name))")
            let calls = pipeline.webhooks.requests.filter { $0.path == "/hooks/default" }
            #expect(calls.count == 1, "\(calls.count) webhook calls")
            #expect(calls.allSatisfy { $0.headers["traceparent"] == nil }, "webhook headers \(calls.map(\.headers))")
        }
    }
}

/// The trace id of a `traceparent` value, nil when it is not one.
private func TraceID(_ traceparent: String?) -> String? {
    guard let parts = traceparent?.split(separator: "-"), parts.count == 4, parts[0] == "00", parts[1].count == 32, parts[2].count == 16 else { return nil }
    return String(parts[1])
}

/// A stage's JSON log line, as the emulator passes it on prefixed with `[name] `.
private struct StageLogLine {
    var stage: String
    var text: String
    var fields: [String: Any]

    static func parse(_ lines: [String]) -> [StageLogLine] {
        lines.compactMap { line in
            guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { return nil }
            let stage = String(line[line.index(after: line.startIndex)..<close])
            let json = line[line.index(after: close)...].drop { $0 == " " }
            guard let fields = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else { return nil }
            return StageLogLine(stage: stage, text: String(json), fields: fields)
        }
    }
}

/// Copies of the Pub/Sub messages and Cloud Tasks the emulator stores, made by triggers on its
/// `pubsub_messages` and `tasks_tasks` tables.
private struct WireLog {
    struct StoredTask {
        var name: String
        var queue: String
        var headers: [String: String]
    }

    let database: DatabaseQueue

    /// Installs the triggers in the running emulator's database, `DATA/emulator.sqlite`.
    init(dataDirectory: URL) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        database = try DatabaseQueue(path: dataDirectory.appendingPathComponent("emulator.sqlite").path, configuration: configuration)
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE test_messages (topic TEXT NOT NULL, data BLOB NOT NULL, attributes TEXT);
                CREATE TRIGGER test_copy_message AFTER INSERT ON pubsub_messages
                BEGIN INSERT INTO test_messages VALUES (NEW.topic, NEW.data, NEW.attributes); END;
                CREATE TABLE test_tasks (name TEXT NOT NULL, queue TEXT NOT NULL, http_request TEXT NOT NULL);
                CREATE TRIGGER test_copy_task AFTER INSERT ON tasks_tasks
                BEGIN INSERT INTO test_tasks VALUES (NEW.name, NEW.queue, NEW.http_request); END;
                """)
        }
    }

    /// The attributes of every message whose data names `job`.
    func messages(mentioning job: String) throws -> [[String: String]] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT data, attributes FROM test_messages").compactMap { row -> [String: String]? in
                let data: Data = row["data"]
                guard String(decoding: data, as: UTF8.self).contains(job) else { return nil }
                let text: String? = row["attributes"]
                return text.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
            }
        }
    }

    /// Every task whose name names `job`, with its request's headers.
    func tasks(mentioning job: String) throws -> [StoredTask] {
        struct Request: Decodable { var headers: [String: String]? }
        return try database.read { db in
            try Row.fetchAll(db, sql: "SELECT name, queue, http_request FROM test_tasks WHERE name LIKE ?", arguments: ["%\(job)%"]).map { row in
                let request = try JSONDecoder().decode(Request.self, from: Data((row["http_request"] as String).utf8))
                return StoredTask(name: row["name"], queue: row["queue"], headers: request.headers ?? [:])
            }
        }
    }
}
