import Foundation
import PipelineModel
import Testing

@Suite("Pipeline names")
struct PipelineNamesTests {
    @Test("the job id is the first 16 hex digits of SHA-256 of bucket/name#generation")
    func jobID() {
        // printf 'pixelpipe-uploads/products.csv#1700000000123456' | sha256sum
        #expect(PipelineNames.jobID(bucket: "pixelpipe-uploads", object: "products.csv", generation: 1_700_000_000_123_456) == "243068f65c93fcba")
        let id = PipelineNames.jobID(bucket: "b", object: "a.csv", generation: 1)
        #expect(id.count == 16 && id.allSatisfy(\.isHexDigit))
        #expect(id == PipelineNames.jobID(bucket: "b", object: "a.csv", generation: 1))
        #expect(id != PipelineNames.jobID(bucket: "b", object: "a.csv", generation: 2))
        #expect(id != PipelineNames.jobID(bucket: "c", object: "a.csv", generation: 1))
    }

    @Test("only ids jobID makes are job ids, so a request cannot steer a document path")
    func jobIDCheck() {
        #expect(PipelineNames.isJobID(PipelineNames.jobID(bucket: "b", object: "a.csv", generation: 1)))
        for text in ["", "0123456789ABCDEF", "0123456789abcde", "0123456789abcdef0", "../../jobs/x/items", "0123456789abcdeg"] {
            #expect(!PipelineNames.isJobID(text), "\(text)")
        }
    }

    @Test("task, document and object names follow ARCHITECTURE §5")
    func names() {
        #expect(PipelineNames.imageQueue(job: "j") == "images-j")
        #expect(PipelineNames.imageTask(job: "j", row: 12, index: 0) == "j-12-0")
        #expect(PipelineNames.teardownTask(job: "j") == "teardown-j")
        #expect(PipelineNames.watchdogTask(job: "j") == "watchdog-j")
        #expect(PipelineNames.itemDocument(job: "j", row: 12, index: 1) == "jobs/j/items/12-1")
        #expect(PipelineNames.outputObject(job: "j", product: "Blue Shoe", row: 12, index: 1, size: "thumb", format: "WEBP") == "j/blue-shoe/12-1-thumb.webp")
        #expect(PipelineNames.outputCSV(job: "j") == "j/output.csv")
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
