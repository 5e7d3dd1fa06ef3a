import Foundation
import GoogleCloud
import PipelineModel
import Testing
import TestSupport

/// The jobs API (`api` under `emulator up`, with the four stages) as a user drives it: CSVs
/// and images submitted, jobs followed to the end, items and the output CSV read back, and
/// every kind of bad input answered with a problem naming what is wrong.
@Suite("Pipeline end to end: the jobs API", .serialized, .sharedPipeline())
struct PipelineEndToEndJobsAPITests {
    static let header = "S. No.,Product Name,Input Image Urls\r\n"

    @Test("a CSV posted as text/csv runs to finished; its items and output.csv are read through the API")
    func csvToFinished() async throws {
        let pipeline = try SharedPipeline.harness()
        let api = try await JobsAPI.signedIn(pipeline)
        let csv = Self.header + "1,Lamp,\"\(pipeline.images.url(1)), \(pipeline.images.url(2))\"\r\n2,Chair,\(pipeline.images.url(3))\r\n"
        let response = try await api.submit(csv: csv, fileName: "products.csv")
        #expect(response.status == 202)
        let submitted = try JobsAPI.decode(JobResource.self, response)
        #expect(response.header("Location") == "/v1/jobs/\(submitted.id)")
        #expect(submitted.source.name == "products.csv")
        #expect(submitted.source.uri.hasPrefix("gs://\(pipeline.configuration.uploadsBucket)/api/"))
        #expect([.queued, .running].contains(submitted.status))

        let job = try await api.awaitFinal(submitted.id)
        #expect(job.status == .finished)
        #expect(job.counts == .init(total: 3, succeeded: 3, failed: 0, remaining: 0, missing: 0, cancelled: 0))
        #expect(job.progress == 1)
        #expect(job.finishedAt != nil && job.startedAt != nil)
        #expect(job.ratePerSecond == nil && job.etaSeconds == nil)
        #expect(job.links.outputCsv == "/v1/jobs/\(job.id)/output.csv")

        let itemsResponse = try await api.send("GET", "/v1/jobs/\(job.id)/items")
        let page = try JobsAPI.decode(ItemPage.self, itemsResponse)
        #expect(page.items.map(\.id) == ["1-1", "1-2", "2-1"])
        #expect(page.items.allSatisfy { $0.status == .succeeded && $0.outputs.count == 4 && $0.analysis != nil })
        #expect(page.nextPageToken == nil)

        let output = try await api.send("GET", "/v1/jobs/\(job.id)/output.csv")
        #expect(output.status == 200)
        #expect(output.header("Content-Type")?.hasPrefix("text/csv") == true)
        let text = String(decoding: output.body, as: UTF8.self)
        #expect(text.hasPrefix("S. No.,Product Name,Input Image Urls,Output Image Urls,Status,Error"))
        #expect(text.contains("Lamp") && text.contains("Chair") && text.contains("succeeded"))
    }

    @Test("a multipart form with a recipe and a webhook runs the job with that recipe")
    func multipartWithRecipe() async throws {
        let pipeline = try SharedPipeline.harness()
        let api = try await JobsAPI.signedIn(pipeline)
        let recipe = #"{"sizes":[{"name":"tiny","width":32}],"formats":["webp"]}"#
        let csv = Self.header + "1,Vase,\(pipeline.images.url(4))\r\n"
        let form = JobsAPI.form([
            ("recipe", nil, "application/json", Data(recipe.utf8)),
            ("webhookUrl", nil, nil, Data("\(pipeline.webhookBaseURL)/hooks/api-form".utf8)),
            ("csv", "vases.csv", "text/csv", Data(csv.utf8)),
        ])
        let response = try await api.send("POST", "/v1/jobs", headers: [("Content-Type", form.contentType)], body: form.body)
        #expect(response.status == 202)
        let submitted = try JobsAPI.decode(JobResource.self, response)
        #expect(submitted.source.name == "vases.csv")
        #expect(submitted.webhookUrl == "\(pipeline.webhookBaseURL)/hooks/api-form")
        #expect(submitted.recipe["formats"] == .array([.string("webp")]))
        let job = try await api.awaitFinal(submitted.id)
        #expect(job.status == .finished)
        let items = try JobsAPI.decode(ItemPage.self, try await api.send("GET", "/v1/jobs/\(job.id)/items")).items
        #expect(items.count == 1)
        #expect(items.first?.outputs.map(\.size) == ["tiny"])
        #expect(items.first?.outputs.map(\.format) == ["webp"])
    }

    @Test("a retried Idempotency-Key answers the same job; the same key with another CSV is a 422")
    func idempotencyKey() async throws {
        let pipeline = try SharedPipeline.harness()
        let api = try await JobsAPI.signedIn(pipeline)
        let key = "retry-\(UUID().uuidString)"
        let csv = Self.header + "1,Stool,\(pipeline.images.url(5))\r\n"
        let first = try await api.submit(csv: csv, fileName: "stools.csv", key: key)
        #expect(first.status == 202)
        let job = try JobsAPI.decode(JobResource.self, first)
        let second = try await api.submit(csv: csv, fileName: "stools.csv", key: key)
        #expect(second.status == 202)
        #expect(try JobsAPI.decode(JobResource.self, second).id == job.id)
        #expect(second.header("Idempotent-Replayed") == "true")
        let objects = try await pipeline.clients.storage.listAll(bucket: pipeline.configuration.uploadsBucket, prefix: "api/")
        #expect(objects.filter { $0.name.hasSuffix("/stools.csv") }.count == 1, "one object for the key")

        let other = try await api.submit(csv: Self.header + "1,Bench,\(pipeline.images.url(6))\r\n", fileName: "stools.csv", key: key)
        #expect(other.status == 422)
        #expect(try JobsAPI.problem(other).field == "Idempotency-Key")
        #expect(try await api.awaitFinal(job.id).status == .finished)
    }

    @Test("a body that is not a CSV, an empty CSV, a header without rows or columns, a bad recipe and a bad webhook are problems naming what is wrong")
    func badInputs() async throws {
        let pipeline = try SharedPipeline.harness()
        let api = try await JobsAPI.signedIn(pipeline)
        let before = try await pipeline.clients.storage.listAll(bucket: pipeline.configuration.uploadsBucket, prefix: "api/").count

        let json = try await api.send("POST", "/v1/jobs", headers: [("Content-Type", "application/json")], body: Data("{}".utf8))
        #expect(json.status == 415)
        #expect(try JobsAPI.problem(json).field == "Content-Type")

        let empty = try await api.submit(csv: "")
        #expect(empty.status == 400)
        let emptyProblem = try JobsAPI.problem(empty)
        #expect(emptyProblem.type == "/problems/invalid-csv")
        #expect(emptyProblem.detail.contains("empty"))

        let headerOnly = try await api.submit(csv: Self.header)
        #expect(headerOnly.status == 400)
        #expect(try JobsAPI.problem(headerOnly).detail.contains("no data rows"))

        let noURLs = try await api.submit(csv: "S. No.,Product Name,Price\r\n1,Lamp,10\r\n")
        #expect(noURLs.status == 400)
        #expect(try JobsAPI.problem(noURLs).header == "Input Image Urls")

        let binary = try await api.send("POST", "/v1/jobs", headers: [("Content-Type", "text/csv")], body: Data([0x89, 0x50, 0x4E, 0x47, 0, 0, 0xFF, 0xFE]))
        #expect(binary.status == 400)

        let csv = Data((Self.header + "1,Lamp,\(pipeline.images.url(1))\r\n").utf8)
        let badRecipe = JobsAPI.form([("recipe", nil, nil, Data(#"{"sizes":[{"name":"x","fit":"stretch"}]}"#.utf8)), ("csv", "a.csv", "text/csv", csv)])
        let recipeAnswer = try await api.send("POST", "/v1/jobs", headers: [("Content-Type", badRecipe.contentType)], body: badRecipe.body)
        #expect(recipeAnswer.status == 400)
        let recipeProblem = try JobsAPI.problem(recipeAnswer)
        #expect(recipeProblem.field == "recipe")
        #expect(recipeProblem.detail.contains("fit"))

        let badWebhook = JobsAPI.form([("webhookUrl", nil, nil, Data("ftp://example.com/hook".utf8)), ("csv", "a.csv", "text/csv", csv)])
        let webhookAnswer = try await api.send("POST", "/v1/jobs", headers: [("Content-Type", badWebhook.contentType)], body: badWebhook.body)
        #expect(webhookAnswer.status == 400)
        #expect(try JobsAPI.problem(webhookAnswer).field == "webhookUrl")

        let late = JobsAPI.form([("csv", "a.csv", "text/csv", csv), ("recipe", nil, nil, Data("{}".utf8))])
        let lateAnswer = try await api.send("POST", "/v1/jobs", headers: [("Content-Type", late.contentType)], body: late.body)
        #expect(lateAnswer.status == 400)
        #expect(try JobsAPI.problem(lateAnswer).field == "recipe")

        let after = try await pipeline.clients.storage.listAll(bucket: pipeline.configuration.uploadsBucket, prefix: "api/").count
        #expect(after == before, "a refused submission left an object in the uploads bucket")
    }

    @Test("a CSV over the size limit is refused with 413 while it streams, and nothing is left in the bucket")
    func overLimit() async throws {
        let pipeline = try SharedPipeline.harness()
        let api = try await JobsAPI.signedIn(pipeline)
        let key = "too-large-\(UUID().uuidString)"
        var csv = Self.header
        var row = 1
        // Over the limit by several upload chunks, so some of it has reached Storage when it is refused.
        while csv.utf8.count <= PipelineHarness.csvLimit + (1 << 20) {
            csv += "\(row),Product \(row),\(pipeline.images.url(1))?n=\(row)\r\n"
            row += 1
        }
        let response = try await api.submit(csv: csv, fileName: "big.csv", key: key)
        #expect(response.status == 413)
        let problem = try JobsAPI.problem(response)
        #expect(problem.type == "/problems/too-large")
        #expect(problem.detail.contains(String(PipelineHarness.csvLimit)))
        let objects = try await pipeline.clients.storage.listAll(bucket: pipeline.configuration.uploadsBucket, prefix: "api/")
        #expect(!objects.contains { $0.name.hasSuffix("/big.csv") }, "the refused upload left \(objects.map(\.name))")
    }

    @Test("an unknown job is a 404, a malformed id or page token a 400 naming it")
    func unknownAndMalformed() async throws {
        let pipeline = try SharedPipeline.harness()
        let api = try await JobsAPI.signedIn(pipeline)
        for path in ["/v1/jobs/0123456789abcdef", "/v1/jobs/0123456789abcdef/items", "/v1/jobs/0123456789abcdef/output.csv"] {
            let response = try await api.send("GET", path)
            #expect(response.status == 404, "\(path)")
            #expect(try JobsAPI.problem(response).instance == path)
        }
        let malformed = try await api.send("GET", "/v1/jobs/not-a-job")
        #expect(malformed.status == 400)
        #expect(try JobsAPI.problem(malformed).field == "id")
        for token in ["nonsense", "eyJraW5kIjoiaXRlbXMiLCJhZnRlciI6IngifQ", String(repeating: "A", count: 600)] {
            let response = try await api.send("GET", "/v1/jobs?pageToken=\(token)")
            #expect(response.status == 400, "\(token)")
            #expect(try JobsAPI.problem(response).field == "pageToken")
        }
        let size = try await api.send("GET", "/v1/jobs?pageSize=5000")
        #expect(size.status == 400)
        #expect(try JobsAPI.problem(size).field == "pageSize")
        let status = try await api.send("GET", "/v1/jobs?status=sleeping")
        #expect(status.status == 400)
        #expect(try JobsAPI.problem(status).field == "status")
    }

    @Test("an image posted as bytes, and one named by URL, each become a job of one item that finishes")
    func images() async throws {
        let pipeline = try SharedPipeline.harness()
        let api = try await JobsAPI.signedIn(pipeline)
        let bytes = try await TestImages.shared.image(2)
        let raw = try await api.send("POST", "/v1/images?product=Teapot", headers: [("Content-Type", "image/jpeg")], body: bytes)
        #expect(raw.status == 202)
        let rawJob = try await api.awaitFinal(try JobsAPI.decode(JobResource.self, raw).id)
        #expect(rawJob.status == .finished)
        #expect(rawJob.counts.total == 1 && rawJob.counts.succeeded == 1)
        let rawItem = try #require(try JobsAPI.decode(ItemPage.self, try await api.send("GET", "/v1/jobs/\(rawJob.id)/items")).items.first)
        #expect(rawItem.product == "Teapot")
        #expect(rawItem.url?.hasPrefix("gs://\(pipeline.configuration.uploadsBucket)/api-images/") == true)
        #expect(rawItem.outputs.count == 4)

        let byURL = try await api.send("POST", "/v1/images", headers: [("Content-Type", "application/json")],
                                       body: Data(#"{"url":"\#(pipeline.images.url(7))","recipe":{"formats":["png"]}}"#.utf8))
        #expect(byURL.status == 202)
        let urlJob = try await api.awaitFinal(try JobsAPI.decode(JobResource.self, byURL).id)
        #expect(urlJob.status == .finished)
        let urlItem = try #require(try JobsAPI.decode(ItemPage.self, try await api.send("GET", "/v1/jobs/\(urlJob.id)/items")).items.first)
        #expect(Set(urlItem.outputs.map(\.format)) == ["png"])

        let badURL = try await api.send("POST", "/v1/images", headers: [("Content-Type", "application/json")], body: Data(#"{"url":"ftp://example.com/a.jpg"}"#.utf8))
        #expect(badURL.status == 400)
        #expect(try JobsAPI.problem(badURL).field == "url")
        let empty = try await api.send("POST", "/v1/images", headers: [("Content-Type", "image/png")], body: Data())
        #expect(empty.status == 400)
    }

    @Test("GET /v1/jobs pages through 250 jobs newest first, and with a status filter, without repeating or skipping one")
    func pagingJobs() async throws {
        let pipeline = try SharedPipeline.harness()
        let api = try await JobsAPI.signedIn(pipeline)
        let store = JobStore(firestore: pipeline.clients.firestore)
        // Seeded straight into Firestore as the user's, dated before any job the other tests
        // made: every fifth rejected, the rest finished.
        let base = try #require(Timestamp.parse("2020-01-01T00:00:00.000Z"))
        var seeded: [(id: String, rejected: Bool)] = []
        for number in 0..<250 {
            let id = JobID(bucket: "seed", object: "jobs-\(number).csv", generation: 1)
            let rejected = number % 5 == 0
            var record = JobRecord(
                id: id, status: rejected ? .rejected : .finished, source: .init(bucket: "seed", name: "jobs-\(number).csv", generation: "1"),
                total: 2, rows: 1, invalidRows: 0, shards: 1, counterShards: 0, recipe: "{}", webhookURL: nil,
                createdAt: base.addingTimeInterval(Double(number)), deadline: base.addingTimeInterval(Double(number) + 600),
                error: rejected ? "seeded" : nil, owner: api.user?.uid
            )
            record.finalCounts = .init(succeeded: rejected ? 0 : 2, failed: 0, missing: 0)
            try await store.create(record, counters: [])
            seeded.append((id.rawValue, rejected))
        }
        let newestFirst = seeded.reversed()

        func all(_ query: String, pageSize: Int) async throws -> (ids: [String], pages: Int) {
            var ids: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let tokenQuery = token.map { "&pageToken=\($0)" } ?? ""
                let response = try await api.send("GET", "/v1/jobs?pageSize=\(pageSize)\(query)\(tokenQuery)")
                let page = try JobsAPI.decode(JobPage.self, response)
                #expect(page.jobs.count <= pageSize)
                ids += page.jobs.map(\.id)
                token = page.nextPageToken
                pages += 1
            } while token != nil && pages < 100
            return (ids, pages)
        }

        let everything = try await all("", pageSize: 100)
        #expect(Set(everything.ids).count == everything.ids.count, "a job was listed twice")
        let listedSeeded = everything.ids.filter { id in seeded.contains { $0.id == id } }
        #expect(listedSeeded == newestFirst.map(\.id))
        #expect(everything.pages == (everything.ids.count + 99) / 100)
        let first = try JobsAPI.decode(JobPage.self, try await api.send("GET", "/v1/jobs"))
        #expect(first.jobs.count == 50, "the default page size")

        let rejected = try await all("&status=rejected", pageSize: 7)
        #expect(rejected.ids.filter { id in seeded.contains { $0.id == id } } == newestFirst.filter(\.rejected).map(\.id))
        let rejectedJobs = try JobsAPI.decode(JobPage.self, try await api.send("GET", "/v1/jobs?status=rejected&pageSize=1000")).jobs
        #expect(rejectedJobs.allSatisfy { $0.status == .rejected })

        // A token is bound to its filter.
        let page = try JobsAPI.decode(JobPage.self, try await api.send("GET", "/v1/jobs?pageSize=10"))
        let token = try #require(page.nextPageToken)
        let mixed = try await api.send("GET", "/v1/jobs?status=finished&pageToken=\(token)")
        #expect(mixed.status == 400)
        #expect(try JobsAPI.problem(mixed).field == "pageToken")
    }

    @Test("a running job is cancelled (200), a cancel of a final job and a retry of a rejected one are 409, and the cancelled job retried (202) finishes")
    func cancelAndRetry() async throws {
        let pipeline = try SharedPipeline.harness()
        let api = try await JobsAPI.signedIn(pipeline)
        pipeline.images.script(8, .slow(.seconds(3)))
        let rows = (1...6).map { "\($0),Slow \($0),\(pipeline.images.url(8))?n=\($0)" }.joined(separator: "\r\n")
        let submitted = try JobsAPI.decode(JobResource.self, try await api.submit(csv: Self.header + rows + "\r\n", fileName: "slow.csv"))
        _ = try await eventually("job \(submitted.id) running") { () -> JobResource? in
            let job = try JobsAPI.decode(JobResource.self, try await api.send("GET", "/v1/jobs/\(submitted.id)"))
            return job.status == .running ? job : nil
        }
        let cancel = try await api.send("POST", "/v1/jobs/\(submitted.id):cancel")
        #expect(cancel.status == 200)
        #expect(try JobsAPI.decode(JobResource.self, cancel).id == submitted.id)
        let cancelled = try await api.awaitFinal(submitted.id)
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.counts.succeeded + cancelled.counts.failed + cancelled.counts.cancelled + cancelled.counts.missing == 6)
        let again = try await api.send("POST", "/v1/jobs/\(submitted.id):cancel")
        #expect(again.status == 200)
        #expect(try JobsAPI.decode(JobResource.self, again).status == .cancelled)

        pipeline.images.script(8, .slow(.zero))
        let retry = try await api.send("POST", "/v1/jobs/\(submitted.id):retry")
        // Images take 3 s each, so the cancel came before any was recorded: some are cancelled.
        #expect(cancelled.counts.cancelled > 0)
        #expect(retry.status == 202, "\(String(decoding: retry.body, as: UTF8.self))")
        #expect(try JobsAPI.decode(JobResource.self, retry).status == .running)
        #expect(try await api.awaitFinal(submitted.id).status == .finished)

        let done = try JobsAPI.decode(JobResource.self, try await api.submit(csv: Self.header + "1,Cup,\(pipeline.images.url(1))\r\n"))
        #expect(try await api.awaitFinal(done.id).status == .finished)
        let late = try await api.send("POST", "/v1/jobs/\(done.id):cancel")
        #expect(late.status == 409)
        #expect(try JobsAPI.problem(late).type == "/problems/conflict")

        let id = JobID(bucket: "seed", object: "rejected.csv", generation: 7)
        let now = Date()
        try await JobStore(firestore: pipeline.clients.firestore).create(JobRecord(
            id: id, status: .rejected, source: .init(bucket: "seed", name: "rejected.csv", generation: "7"), total: 0, rows: 0, invalidRows: 0,
            shards: 0, recipe: nil, webhookURL: nil, createdAt: now, deadline: now, error: "seeded", owner: api.user?.uid
        ), counters: [])
        let rejectedRetry = try await api.send("POST", "/v1/jobs/\(id):retry")
        #expect(rejectedRetry.status == 409)
        let unknown = try await api.send("POST", "/v1/jobs/0123456789abcdef:cancel")
        #expect(unknown.status == 404)
    }
}
