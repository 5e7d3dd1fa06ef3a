import Crypto
import Foundation

/// The deterministic names that make every pipeline stage idempotent (ARCHITECTURE §5): a
/// redelivered event, shard or task computes the same job id, task name and object names, so
/// the queue's name de-duplication and create-if-absent writes turn repeats into no-ops.
public enum PipelineNames {
    /// The first 16 hex digits of SHA-256 of `bucket/name#generation`: one job per uploaded
    /// version of a CSV, however often its finalize event is delivered.
    public static func jobID(bucket: String, object: String, generation: Int64) -> String {
        let digest = SHA256.hash(data: Data("\(bucket)/\(object)#\(generation)".utf8))
        return digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `text` is a job id as `jobID` makes them (16 lower-case hex digits). Ids from
    /// requests and messages are checked before they become part of a document path.
    public static func isJobID(_ text: String) -> Bool {
        text.utf8.count == 16 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// The job's own queue, `images-JOB`.
    public static func imageQueue(job: String) -> String { "images-\(job)" }

    /// The task processing image `index` (1-based; 0 stands for a wholly invalid row) of data row `row`: `JOB-ROW-INDEX`.
    public static func imageTask(job: String, row: Int, index: Int) -> String { "\(job)-\(row)-\(index)" }

    /// The task that finalizes the job when its last image is counted.
    public static func teardownTask(job: String) -> String { "teardown-\(job)" }

    /// The task that finalizes the job at its deadline if it has not finished by then:
    /// `watchdog-JOB`, then `watchdog-JOB-N` for the N-th time the deadline was moved on.
    public static func watchdogTask(job: String, extension number: Int = 0) -> String {
        number == 0 ? "watchdog-\(job)" : "watchdog-\(job)-\(number)"
    }

    /// The item document of one image, `jobs/JOB/items/ROW-INDEX`.
    public static func itemDocument(job: String, row: Int, index: Int) -> String { "jobs/\(job)/items/\(row)-\(index)" }

    /// The job document, `jobs/JOB`.
    public static func jobDocument(job: String) -> String { "jobs/\(job)" }

    /// One output image: `JOB/PRODUCT-SLUG/ROW-INDEX-SIZE.EXT`, EXT the format's file extension (`jpg`, `webp`, `avif`, `png`).
    public static func outputObject(job: String, product: String, row: Int, index: Int, size: String, format: String) -> String {
        "\(job)/\(slug(product))/\(row)-\(index)-\(slug(size)).\(format.lowercased())"
    }

    /// The job's output CSV, `JOB/output.csv`.
    public static func outputCSV(job: String) -> String { "\(job)/output.csv" }

    /// Why a rejected job's CSV was refused, `JOB/error-report.json`.
    public static func errorReport(job: String) -> String { "\(job)/error-report.json" }

    /// A lower-case ASCII slug of at most 60 characters (`Blue Shoe (42)` → `blue-shoe-42`),
    /// `product` when nothing usable is left, so names never escape their folder or collide
    /// with `.`/`..`.
    public static func slug(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        var slug = ""
        for scalar in folded.unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug += "-"
            }
        }
        slug = String(slug.prefix(60))
        while slug.hasSuffix("-") { slug.removeLast() }
        return slug.isEmpty ? "product" : slug
    }
}
