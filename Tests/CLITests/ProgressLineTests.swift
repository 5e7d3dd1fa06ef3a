import PipelineModel
import PixelPipeCLI
import Testing

@Suite("Progress line")
struct ProgressLineTests {
    @Test("the bar fills succeeded cells, then failed ones (x without colour), then empty ones", arguments: [
        (0, 0, 10, 10, "░░░░░░░░░░"),
        (5, 0, 10, 10, "█████░░░░░"),
        (4, 1, 10, 10, "████x░░░░░"),
        (10, 0, 10, 10, "██████████"),
        (1, 0, 1000, 10, "░░░░░░░░░░"),
        (0, 1, 1000, 10, "░░░░░░░░░░"),
        (999, 1, 1000, 10, "█████████x"),
        (0, 0, 0, 4, "████"),
    ])
    func bar(succeeded: Int, failed: Int, total: Int, width: Int, expected: String) {
        #expect(ProgressLine.bar(succeeded: succeeded, failed: failed, total: total, width: width, color: false) == expected)
    }

    @Test("in colour the succeeded cells are green and the failed ones red")
    func colouredBar() {
        let bar = ProgressLine.bar(succeeded: 2, failed: 1, total: 4, width: 4, color: true)
        #expect(bar == "\u{1B}[32m██\u{1B}[0m\u{1B}[31m█\u{1B}[0m░")
        #expect(ProgressLine.visibleWidth(bar) == 4)
    }

    @Test("numbers are short and never round up to done", arguments: [
        (0.999, "99%"), (1.0, "100%"), (0.0, "0%"), (0.455, "45%"),
    ])
    func percent(progress: Double, expected: String) {
        #expect(ProgressLine.percent(progress) == expected)
    }

    @Test("durations and rates read at a glance", arguments: [
        (0, "0s"), (4, "4s"), (65, "1m05s"), (3599, "59m59s"), (7380, "2h03m"), (-3, "0s"),
    ])
    func duration(seconds: Int, expected: String) {
        #expect(ProgressLine.duration(seconds: seconds) == expected)
    }

    @Test("rates keep two significant digits", arguments: [(3.24, "3.2/s"), (12.6, "13/s"), (0.05, "0.05/s"), (0.1, "0.1/s")])
    func rate(perSecond: Double, expected: String) {
        #expect(ProgressLine.rate(perSecond) == expected)
    }

    @Test("a running job's frame has the name, bar, percent, counts, failures, rate and ETA, within the width")
    func runningFrame() {
        let job = SampleJob.make(.running, total: 20, succeeded: 8, failed: 1, rate: 3.2, eta: 4)
        let frame = ProgressLine.frame(job, width: 80)
        #expect(frame == "products.csv  [███████████x░░░░░░░░░░░░░░░]  45%  9/20  1 failed  3.2/s  ETA 4s")
        #expect(ProgressLine.visibleWidth(frame) == 79, "the bar takes the room there is")
        #expect(ProgressLine.visibleWidth(frame) <= 79)
    }

    @Test("narrow terminals shorten the name, then drop it, then the ETA and the rate; the frame always fits", arguments: [200, 80, 60, 50, 44, 40, 32, 24, 16])
    func narrowFrames(width: Int) {
        let job = SampleJob.make(.running, total: 2000, succeeded: 1200, failed: 31, rate: 12.5, eta: 61, name: "a-very-long-product-feed-name.csv")
        let frame = ProgressLine.frame(job, width: width, color: true)
        #expect(ProgressLine.visibleWidth(frame) <= max(width - 1, 12), "\(frame.debugDescription)")
        #expect(frame.contains("61%"))
        if width == 200 { #expect(frame.hasPrefix("a-very-long-product-feed-name.csv  [") && frame.hasSuffix("ETA 1m01s")) }
        if width == 80 { #expect(frame.hasPrefix("a-very-long-pro…  [") && frame.hasSuffix("ETA 1m01s")) }
        if width == 60 { #expect(frame.hasPrefix("[") && frame.hasSuffix("ETA 1m01s")) }
        if width <= 24 { #expect(frame.hasSuffix("]  61%")) }
    }

    @Test("queued and final jobs say so in the frame")
    func otherStatuses() {
        #expect(ProgressLine.frame(SampleJob.make(.queued, total: 0), width: 80) == "products.csv  queued: waiting for ingest to read the CSV")
        let finished = ProgressLine.frame(SampleJob.make(.finishedWithErrors, total: 4, succeeded: 3, failed: 1, rate: 9, eta: 0), width: 60)
        #expect(finished.hasSuffix("100%  4/4  1 failed  finished_with_errors"))
        #expect(!finished.contains("ETA"))
    }

    @Test("plain lines say everything in words, without escape codes", arguments: [
        (SampleJob.make(.queued, total: 0), "job 0123456789abcdef: queued (waiting for ingest to read products.csv)"),
        (SampleJob.make(.running, total: 20, succeeded: 8, failed: 1, rate: 3.2, eta: 4),
         "job 0123456789abcdef: running 9/20 (45%), 8 succeeded, 1 failed, 3.2/s, ETA 4s"),
        (SampleJob.make(.finished, total: 20, succeeded: 20, rate: 3.2), "job 0123456789abcdef: finished 20/20 (100%), 20 succeeded, 0 failed"),
    ])
    func plain(job: JobResource, expected: String) {
        #expect(ProgressLine.plain(job) == expected)
    }

    @Test("visible width skips escape sequences", arguments: [("abc", 3), ("\u{1B}[32mab\u{1B}[0m", 2), ("\r\u{1B}[2Kx", 2), ("█░", 2)])
    func visibleWidth(text: String, expected: Int) {
        // `\r` is a character the terminal does not show but the function counts: callers measure frames without it.
        #expect(ProgressLine.visibleWidth(text) == expected)
    }
}
