import Foundation

/// The deterministic names that make every pipeline stage idempotent (ARCHITECTURE §5): a
/// redelivered event, shard or task computes the same job id, task name and object names, so
/// the queue's name de-duplication and create-if-absent writes turn repeats into no-ops.
public enum PipelineNames {
    /// The first 16 hex digits of SHA-256 of `bucket/name#generation`: one job per uploaded
    /// version of a CSV, however often its finalize event is delivered.
    public static func jobID(bucket: String, object: String, generation: Int64) -> JobID {
        JobID(bucket: bucket, object: object, generation: generation)
    }

    /// The job's own queue, `images-JOB`; a retried job's run N has `images-JOB-rN`, since a
    /// deleted queue's name cannot be used again for days.
    public static func imageQueue(job: JobID, run: Int = 0) -> String { "images-\(job)\(runSuffix(run))" }

    /// The task processing image `index` (1-based; 0 stands for a wholly invalid row) of data row
    /// `row`: `JOB-ROW-INDEX`, and `JOB-ROW-INDEX-rN` in run N (Cloud Tasks remembers the
    /// first run's names).
    public static func imageTask(job: JobID, row: Int, index: Int, run: Int = 0) -> String { "\(job)-\(row)-\(index)\(runSuffix(run))" }

    /// The task that finalizes the job when its last image is counted: `teardown-JOB`, in run N
    /// `teardown-JOB-rN`.
    public static func teardownTask(job: JobID, run: Int = 0) -> String { "teardown-\(job)\(runSuffix(run))" }

    /// The task that finalizes the job at its deadline if it has not finished by then:
    /// `watchdog-JOB`, then `watchdog-JOB-N` for the N-th time the deadline was moved on; in
    /// run R `watchdog-JOB-rR` and `watchdog-JOB-rR-N`.
    public static func watchdogTask(job: JobID, extension number: Int = 0, run: Int = 0) -> String {
        number == 0 ? "watchdog-\(job)\(runSuffix(run))" : "watchdog-\(job)\(runSuffix(run))-\(number)"
    }

    /// The task that finalizes the job at once after a cancel: `cancel-JOB`, in run N `cancel-JOB-rN`.
    public static func cancelTask(job: JobID, run: Int = 0) -> String { "cancel-\(job)\(runSuffix(run))" }

    /// `""` for the first run, `-rN` for run N.
    private static func runSuffix(_ run: Int) -> String { run == 0 ? "" : "-r\(run)" }

    /// The item document of one image, `jobs/JOB/items/ROW-INDEX` with both numbers
    /// zero-padded (`jobs/JOB/items/000000000012-0000003`): Firestore lists a collection in
    /// document-id order, so padding makes that the CSV's row order, and teardown can page the
    /// items alongside the streamed CSV. The widths cover the largest row number a
    /// `CSV_MAX_FILE_BYTES` of 2⁴⁰ allows and `CSV_MAX_URLS_PER_ROW` of 2²⁰.
    public static func itemDocument(job: JobID, row: Int, index: Int) -> String { "\(itemsCollection(job: job))/\(itemDocumentID(row: row, index: index))" }

    /// The id of an item document within its collection (see `itemDocument`).
    public static func itemDocumentID(row: Int, index: Int) -> String {
        let row = String(row), index = String(index)
        return String(repeating: "0", count: max(0, 12 - row.count)) + row + "-" + String(repeating: "0", count: max(0, 7 - index.count)) + index
    }

    /// The collection of a job's items, `jobs/JOB/items`.
    public static func itemsCollection(job: JobID) -> String { "\(jobDocument(job: job))/items" }

    /// The job document, `jobs/JOB`.
    public static func jobDocument(job: JobID) -> String { "jobs/\(job)" }

    /// Counter shard `shard` of the job, `jobs/JOB/counters/K` (see `CounterShard`).
    public static func counterDocument(job: JobID, shard: Int) -> String { "\(countersCollection(job: job))/\(shard)" }

    /// The collection of a job's counter shards, `jobs/JOB/counters`.
    public static func countersCollection(job: JobID) -> String { "\(jobDocument(job: job))/counters" }

    /// The finalizer lease of a job, `jobs/JOB/leases/finalizer` (see `FinalizerLeaseRecord`).
    public static func finalizerLease(job: JobID) -> String { "\(jobDocument(job: job))/leases/finalizer" }

    /// One output image: `JOB/PRODUCT-SLUG/ROW-INDEX-SIZE.EXT`, EXT the format's file extension (`jpg`, `webp`, `avif`, `png`).
    public static func outputObject(job: JobID, product: String, row: Int, index: Int, size: String, format: String) -> String {
        "\(job)/\(slug(product))/\(row)-\(index)-\(slug(size)).\(format.lowercased())"
    }

    /// The job's output CSV, `JOB/output.csv`.
    public static func outputCSV(job: JobID) -> String { "\(job)/output.csv" }

    /// The job's results, one JSON line per item (`ResultLine`), `JOB/results.ndjson`: what the
    /// BigQuery load reads.
    public static func resultsNDJSON(job: JobID) -> String { "\(job)/results.ndjson" }

    /// Why a rejected job's CSV was refused, `JOB/error-report.json`.
    public static func errorReport(job: JobID) -> String { "\(job)/error-report.json" }

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
