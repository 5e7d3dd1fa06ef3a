import Foundation
import PipelineModel
import Testing

@Suite("Pipeline names")
struct PipelineNamesTests {
    @Test("the job id is the first 16 hex digits of SHA-256 of bucket/name#generation")
    func jobID() {
        // printf 'pixelpipe-uploads/products.csv#1700000000123456' | sha256sum
        #expect(PipelineNames.jobID(bucket: "pixelpipe-uploads", object: "products.csv", generation: 1_700_000_000_123_456).rawValue == "243068f65c93fcba")
        let id = PipelineNames.jobID(bucket: "b", object: "a.csv", generation: 1)
        #expect(id.rawValue.count == 16 && id.rawValue.allSatisfy(\.isHexDigit))
        #expect(id == PipelineNames.jobID(bucket: "b", object: "a.csv", generation: 1))
        #expect(id != PipelineNames.jobID(bucket: "b", object: "a.csv", generation: 2))
        #expect(id != PipelineNames.jobID(bucket: "c", object: "a.csv", generation: 1))
    }

    @Test("only ids jobID makes are job ids, so a request cannot steer a document path")
    func jobIDCheck() throws {
        let id = PipelineNames.jobID(bucket: "b", object: "a.csv", generation: 1)
        #expect(JobID(id.rawValue) == id)
        for text in ["", "0123456789ABCDEF", "0123456789abcde", "0123456789abcdef0", "../../jobs/x/items", "0123456789abcdeg"] {
            #expect(JobID(text) == nil, "\(text)")
            // Decoding refuses it too, so a task, message or request naming it never reaches a handler.
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(TeardownTask.self, from: Data(#"{"job":"\#(text)","reason":"complete"}"#.utf8)) }
        }
        let task = try JSONDecoder().decode(TeardownTask.self, from: Data(#"{"job":"0123456789abcdef","reason":"complete"}"#.utf8))
        #expect(task.job.rawValue == "0123456789abcdef")
        #expect(String(decoding: try JSONEncoder().encode(task.job), as: UTF8.self) == #""0123456789abcdef""#)
    }

    @Test("task, document and object names follow ARCHITECTURE §5")
    func names() {
        let j = JobID("0123456789abcdef")!
        #expect(PipelineNames.imageQueue(job: j) == "images-0123456789abcdef")
        #expect(PipelineNames.imageTask(job: j, row: 12, index: 0) == "0123456789abcdef-12-0")
        #expect(PipelineNames.teardownTask(job: j) == "teardown-0123456789abcdef")
        #expect(PipelineNames.watchdogTask(job: j) == "watchdog-0123456789abcdef")
        #expect(PipelineNames.itemDocument(job: j, row: 12, index: 1) == "jobs/0123456789abcdef/items/000000000012-0000001")
        #expect(PipelineNames.counterDocument(job: j, shard: 7) == "jobs/0123456789abcdef/counters/7")
        #expect(PipelineNames.finalizerLease(job: j) == "jobs/0123456789abcdef/leases/finalizer")
        #expect(PipelineNames.outputObject(job: j, product: "Blue Shoe", row: 12, index: 1, size: "thumb", format: "WEBP") == "0123456789abcdef/blue-shoe/12-1-thumb.webp")
        #expect(PipelineNames.outputCSV(job: j) == "0123456789abcdef/output.csv")
    }

    @Test("slugs are short lower-case ASCII and never escape their folder", arguments: [
        ("Blue Shoe (42)", "blue-shoe-42"), ("Crème Brûlée", "creme-brulee"), ("../../etc/passwd", "etc-passwd"),
        ("", "product"), ("日本語", "product"), ("  --Mixed__CASE--  ", "mixed-case"), (String(repeating: "ab ", count: 40), String(String(repeating: "ab-", count: 20).dropLast())),
    ])
    func slugs(_ input: String, _ expected: String) {
        let slug = PipelineNames.slug(input)
        #expect(slug == expected)
        #expect(slug.count <= 60 && !slug.contains("/") && !slug.contains(".."))
    }

    @Test("webhook signatures are HMAC-SHA256 of the body and verify only with the same secret and body")
    func webhookSignature() {
        let body = Data(#"{"job":"j","status":"finished"}"#.utf8)
        // printf '{"job":"j","status":"finished"}' | openssl dgst -sha256 -hmac s3cret
        let signature = WebhookSignature.sign(body, secret: "s3cret")
        #expect(signature == "sha256=887f064ee34ebccf3f408e97b3095c6e3f26dcc257bc642b8671f8738267aebb")
        #expect(WebhookSignature.isValid(signature, body: body, secret: "s3cret"))
        #expect(!WebhookSignature.isValid(signature, body: body, secret: "other"))
        #expect(!WebhookSignature.isValid(signature, body: Data(#"{"job":"j","status":"rejected"}"#.utf8), secret: "s3cret"))
        #expect(!WebhookSignature.isValid("sha256=zz", body: body, secret: "s3cret"))
    }
}
