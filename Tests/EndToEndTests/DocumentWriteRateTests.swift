import Foundation
import GRDB
import PipelineModel
import Testing
import TestSupport

/// Firestore sustains about one write per second per document, so no document of a job may be
/// written much more often than that however large the job is. This suite watches every write
/// to every document while a 2,000-item job runs through the real pipeline, without trusting
/// any emulator code to count them: it opens the emulator's SQLite database itself and adds a
/// trigger that logs each insert or update of a Firestore document with the time it happened.
@Suite("Firestore writes per document while a large job runs", .serialized)
struct DocumentWriteRateTests {
    /// Writes one document may take in any one second.
    static let limit = 5
    static let images = 1_960
    static let invalidRows = 40

    @Test("a 2,000-item job writes no Firestore document more than 5 times in any second, and still counts every item once")
    func writesPerDocument() async throws {
        let environment = [
            // One small output per image: the pipeline's bookkeeping is what is measured, not imaging.
            "IMAGE_RECIPE": #"{"sizes":[{"name":"small","width":32}],"formats":["jpeg"]}"#,
            "CSV_MAX_FILE_BYTES": String(4 << 20),
            "SHARD_ROWS": "100",
        ]
        try await withPipeline(environment: environment) { pipeline in
            let log = try WriteLog(dataDirectory: pipeline.emulator.dataDirectory)
            var input = ProductCSV()
            for number in 0..<Self.images {
                input.add("Product \(number + 1)", [pipeline.images.url(number)])
                // Every 49th row also carries a URL populate refuses: failed items recorded by populate.
                if number % 49 == 48 { input.add("Refused \(number + 1)", ["ftp://images.example/\(number).jpg"]) }
            }
            #expect(input.rows.count == Self.images + Self.invalidRows)
            let upload = try await pipeline.upload(csv: input.text, name: "products-2000.csv")
            let job = try await pipeline.awaitFinal(upload.job, within: .seconds(600))

            #expect(job.status == .finishedWithErrors, "job \(job.id): \(job.status.rawValue)")
            #expect((job.total, job.succeeded, job.failed, job.remaining) == (Self.images + Self.invalidRows, Self.images, Self.invalidRows, 0))
            #expect(try await pipeline.items(upload.job).count == Self.images + Self.invalidRows)
            let counters = try await JobStore(firestore: pipeline.clients.firestore).counters(upload.job)
            #expect(counters.count == job.counterShards && counters.count > 1)
            #expect(counters.allSatisfy { $0.remaining == 0 })
            let output = try await pipeline.outputCSV(upload.job)
            #expect(output.rows.count == input.rows.count)

            let rates = try log.busiest()
            let worst = try #require(rates.first)
            print("write-rate: \(log.total) document writes; busiest documents (writes in one calendar second / in any sliding second): "
                + rates.prefix(5).map { "\($0.document.split(separator: "/documents/").last ?? "") \($0.perSecond)/\($0.sliding)" }.joined(separator: ", "))
            #expect(log.total >= Self.images + Self.invalidRows)
            #expect(worst.perSecond <= Self.limit, "\(worst.document) was written \(worst.perSecond) times in one second")
            // The job document itself is written only by ingest and teardown, never per item.
            let jobWrites = try log.writes(to: "jobs/\(upload.job)")
            #expect(jobWrites <= 6, "the job document was written \(jobWrites) times")
        }
    }
}

/// A trigger-fed log of writes to the emulator's `firestore_documents` table.
private struct WriteLog {
    struct Rate {
        var document: String
        /// Most writes within one calendar second.
        var perSecond: Int
        /// Most writes within any one-second window.
        var sliding: Int
    }

    let database: DatabaseQueue

    /// Installs the trigger in the running emulator's database, `DATA/emulator.sqlite`.
    init(dataDirectory: URL) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        database = try DatabaseQueue(path: dataDirectory.appendingPathComponent("emulator.sqlite").path, configuration: configuration)
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE test_document_writes (name TEXT NOT NULL, at REAL NOT NULL);
                CREATE TRIGGER test_log_document_insert AFTER INSERT ON firestore_documents
                BEGIN INSERT INTO test_document_writes VALUES (NEW.name, (julianday('now') - 2440587.5) * 86400.0); END;
                CREATE TRIGGER test_log_document_update AFTER UPDATE ON firestore_documents
                BEGIN INSERT INTO test_document_writes VALUES (NEW.name, (julianday('now') - 2440587.5) * 86400.0); END;
                """)
        }
    }

    var total: Int {
        (try? database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM test_document_writes") }) ?? 0
    }

    /// Writes to the document whose path ends with `path`.
    func writes(to path: String) throws -> Int {
        try database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM test_document_writes WHERE name LIKE ?", arguments: ["%/documents/" + path]) ?? 0 }
    }

    /// Every document's busiest second, busiest first.
    func busiest() throws -> [Rate] {
        let writes = try database.read { db in
            try Row.fetchAll(db, sql: "SELECT name, at FROM test_document_writes ORDER BY name, at").map { ($0["name"] as String, $0["at"] as Double) }
        }
        var rates: [Rate] = []
        for (document, times) in Dictionary(grouping: writes, by: \.0).mapValues({ $0.map(\.1) }) {
            let perSecond = Dictionary(grouping: times, by: { Int($0.rounded(.down)) }).values.map(\.count).max() ?? 0
            var sliding = 0
            var start = 0
            for end in times.indices {
                while times[end] - times[start] >= 1 { start += 1 }
                sliding = max(sliding, end - start + 1)
            }
            rates.append(Rate(document: document, perSecond: perSecond, sliding: sliding))
        }
        return rates.sorted { ($0.perSecond, $0.sliding) > ($1.perSecond, $1.sliding) }
    }
}
