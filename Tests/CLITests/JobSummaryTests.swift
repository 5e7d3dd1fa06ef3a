import PipelineModel
import PixelPipeCLI
import Testing

@Suite("Job summary")
struct JobSummaryTests {
    private static func item(_ row: Int, _ index: Int, url: String?, reason: String?) -> ItemResource {
        ItemResource(id: "\(row)-\(index)", row: row, index: index, url: url, product: "P\(row)", status: .failed, reason: reason, recordedAt: "2026-11-26T04:00:01.000Z")
    }

    @Test("failures group by what went wrong, without the URL or row that says which item, largest group first")
    func grouping() {
        let items = [
            Self.item(2, 1, url: "http://a/1.jpg", reason: "http://a/1.jpg: the source answered HTTP 404"),
            Self.item(3, 1, url: "http://a/2.jpg", reason: "http://a/2.jpg: timed out or too slow: x (gave up after 5 attempts over 31 min 4 s)"),
            Self.item(4, 2, url: "http://a/3.jpg", reason: "http://a/3.jpg: the source answered HTTP 404"),
            Self.item(5, 0, url: nil, reason: "row 5: the product name is empty"),
            Self.item(6, 1, url: "http://a/4.jpg", reason: "http://a/4.jpg: timed out or too slow: x (gave up after 3 attempts)"),
            Self.item(7, 1, url: "http://a/5.jpg", reason: "http://a/5.jpg: the source answered HTTP 404"),
            Self.item(8, 1, url: "http://a/6.jpg", reason: "http://a/6.jpg: the source answered HTTP 404"),
            Self.item(9, 3, url: nil, reason: "row 9, image 3: scheme 'ftp' is not allowed"),
            Self.item(10, 1, url: "http://a/7.jpg", reason: nil),
        ]
        let groups = FailureGroup.group(items)
        #expect(groups == [
            FailureGroup(reason: "the source answered HTTP 404", count: 4, examples: ["row 2 image 1", "row 4 image 2", "row 7 image 1"]),
            FailureGroup(reason: "timed out or too slow: x (gave up after retries)", count: 2, examples: ["row 3 image 1", "row 6 image 1"]),
            FailureGroup(reason: "the product name is empty", count: 1, examples: ["row 5"]),
            FailureGroup(reason: "scheme 'ftp' is not allowed", count: 1, examples: ["row 9 image 3"]),
            FailureGroup(reason: "no reason recorded", count: 1, examples: ["row 10 image 1"]),
        ].sorted { ($0.count, $1.reason) > ($1.count, $0.reason) })
    }

    @Test("a job with failures: outcome and time taken, counts, reasons with their rows, the output CSV and the images")
    func withFailures() {
        let job = SampleJob.make(.finishedWithErrors, total: 20, succeeded: 17, failed: 3, finishedAt: "2026-11-26T04:01:05.400Z")
        let summary = JobSummary(
            job: job,
            failures: [FailureGroup(reason: "the source answered HTTP 404", count: 2, examples: ["row 2 image 1", "row 4 image 1"]),
                       FailureGroup(reason: "the product name is empty", count: 1, examples: ["row 9"])],
            failuresRead: 3, exampleOutput: "http://127.0.0.1:8085/download/x.webp", apiBase: "http://127.0.0.1:8086"
        )
        #expect(summary.lines() == [
            "job 0123456789abcdef (products.csv): finished_with_errors in 1m05s",
            "  20 images: 17 succeeded, 3 failed",
            "  failures by reason:",
            "    2 × the source answered HTTP 404  (row 2 image 1, row 4 image 1)",
            "    1 × the product name is empty  (row 9)",
            "  output CSV:  http://127.0.0.1:8086/v1/jobs/0123456789abcdef/output.csv",
            "  images:      http://127.0.0.1:8085/download/x.webp and the rest (pixelpipe results 0123456789abcdef --download DIR)",
        ])
    }

    @Test("rejected jobs give their reason only; timed-out ones count what is missing; partial failure reads say so")
    func otherOutcomes() {
        let rejected = JobSummary(job: SampleJob.make(.rejected, total: 0, error: "no column of image URLs"), failures: [], failuresRead: 0, exampleOutput: nil, apiBase: "http://h")
        #expect(rejected.lines() == ["job 0123456789abcdef (products.csv): rejected", "  rejected: no column of image URLs"])
        let timedOut = JobSummary(
            job: SampleJob.make(.timedOut, total: 5000, succeeded: 3000, failed: 1500, missing: 500),
            failures: [FailureGroup(reason: "timed out", count: 1000, examples: ["row 1 image 1"])], failuresRead: 1000, exampleOutput: nil, apiBase: "http://h"
        )
        let lines = timedOut.lines()
        #expect(lines[1] == "  5000 images: 3000 succeeded, 1500 failed, 500 missing")
        #expect(lines[2] == "  failures by reason (the first 1000 of 1500):")
        #expect(lines[3] == "    1000 × timed out  (row 1 image 1, …)")
    }

    @Test("exit status: 0 all succeeded (or not final), 1 some failed, timed out or cancelled, 2 rejected", arguments: [
        (JobResource.Status.finished, 0, Int32(0)), (.running, 0, 0), (.queued, 0, 0), (.finishedWithErrors, 1, 1),
        (.timedOut, 0, 1), (.cancelled, 0, 1), (.rejected, 0, 2), (.finished, 2, 1),
    ])
    func exitStatus(status: JobResource.Status, failed: Int, expected: Int32) {
        #expect(ExitStatus.of(SampleJob.make(status, total: 10, succeeded: 10 - failed, failed: failed)) == expected)
    }
}
