import Foundation
import PixelPipeCLI
import PipelineModel
import Testing
import TestSupport

/// The built `pixelpipe` binary against `ContractServer`, a scripted server speaking the jobs
/// API's contract, for what the real api under `emulator up` (`PipelineEndToEndCLITests`)
/// cannot produce on demand: a job that advances exactly one item per read (so the frames can
/// be counted), every byte of the request the CLI sent, a job rejected while the CLI waits, and
/// an upload refused naming a row.
@Suite("CLI against a scripted contract server (what a real api cannot produce on demand)")
struct CLIScriptedServerTests {
    /// A script's environment: an ID token the server accepts, given as `PIXELPIPE_TOKEN`
    /// (signing in is `CLIAccountTests`' subject).
    private static let script = ["PIXELPIPE_TOKEN": ScriptedIdentity.scriptToken]

    private static func csv(_ name: String, rows: Int, in directory: URL) throws -> URL {
        let file = directory.appendingPathComponent(name)
        var text = "S. No.,Product Name,Input Image Urls\n"
        for row in 1...rows { text += "\(row),Product \(row),http://images.test/\(row).jpg\n" }
        try Data(text.utf8).write(to: file)
        return file
    }

    @Test("a job advancing one item per read: on a terminal one line is redrawn per change, within the width, then the summary (exit 0); the form carried the recipe, webhook and CSV")
    func terminalProgress() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.csv("good-products.csv", rows: 6, in: directory)
        let server = ContractServer()
        try await server.run { port in
            let run = try await CLIRun.run(["submit", file.path, "--wait", "--recipe", #"{"formats":["webp"]}"#, "--webhook", "http://127.0.0.1:9/hook",
                                            "--api", "http://127.0.0.1:\(port)"], terminalColumns: 72, environment: Self.script)
            #expect(run.status == 0, "stderr: \(run.stderr)")
            let frames = run.frames
            // queued, running 0/6 … 6/6: several distinct frames, each within the width.
            #expect(Set(frames).count >= 5, "frames: \(frames)")
            for frame in frames { #expect(ProgressLine.visibleWidth(frame) <= 71, "too wide: \(frame.debugDescription)") }
            #expect(frames.contains { $0.contains("good-products.csv") && $0.contains("2.5/s") && $0.contains("ETA") })
            #expect(frames.last?.contains("100%") == true)
            #expect(frames.last?.contains("finished") == true)
            #expect(run.stdout.contains("\u{1B}[32m"), "the succeeded part of the bar is green")
            let summary = run.stdout.components(separatedBy: "\n").dropFirst()
            #expect(summary.contains { $0.hasPrefix("job 000000000000abc0 (good-products.csv): finished in 12s") })
            #expect(summary.contains("  6 images: 6 succeeded, 0 failed"))
            #expect(summary.contains("  output CSV:  http://127.0.0.1:\(port)/v1/jobs/000000000000abc0/output.csv"))
            #expect(summary.contains { $0.contains("images:      http://127.0.0.1:\(port)/files/000000000000abc0/1-1-thumb.webp") })
        }
        // The CSV went up as the form's csv part, untouched, named by its file name, after the
        // recipe and webhook fields; no token goes to a loopback API.
        let upload = try #require(server.requests.first { $0.method == "POST" })
        let parts = FormPart.parse(upload.body, contentType: upload.headers["content-type"])
        #expect(parts.map(\.name) == ["recipe", "webhookUrl", "csv"])
        #expect(parts.first?.content == Data(#"{"formats":["webp"]}"#.utf8))
        #expect(parts[1].content == Data("http://127.0.0.1:9/hook".utf8))
        #expect(parts.last?.content == (try Data(contentsOf: file)))
        #expect(parts.last?.fileName == "good-products.csv")
        #expect(parts.last?.contentType == "text/csv")
        #expect(upload.headers["authorization"] == "Bearer \(ScriptedIdentity.scriptToken)")
        #expect(upload.headers["x-serverless-authorization"] == nil)
    }

    @Test("a narrower terminal gets a narrower bar; the name goes first when there is no room")
    func widthAware() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.csv("good-a-rather-long-file-name-for-a-narrow-terminal.csv", rows: 3, in: directory)
        let server = ContractServer()
        try await server.run { port in
            let narrow = try await CLIRun.run(["submit", file.path, "--wait", "--api", "http://127.0.0.1:\(port)"], terminalColumns: 40, environment: Self.script)
            #expect(narrow.status == 0)
            let frames = narrow.frames.filter { $0.contains("[") }
            #expect(!frames.isEmpty)
            for frame in frames { #expect(ProgressLine.visibleWidth(frame) <= 39, "too wide: \(frame.debugDescription)") }
        }
    }

    @Test("results --download keeps at most --concurrency downloads in flight and saves every output as ROW-INDEX-SIZE.FORMAT")
    func boundedDownloads() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.csv("good-many.csv", rows: 8, in: directory)
        let server = ContractServer()
        try await server.run(downloadDelay: .milliseconds(150)) { port in
            let api = ["--api", "http://127.0.0.1:\(port)"]
            #expect(try await CLIRun.run(["submit", file.path, "--wait"] + api, environment: Self.script).status == 0)
            let target = directory.appendingPathComponent("out")
            let run = try await CLIRun.run(["results", "000000000000abc0", "--download", target.path, "--concurrency", "3"] + api, environment: Self.script)
            #expect(run.status == 0, "stderr: \(run.stderr)")
            let files = try FileManager.default.contentsOfDirectory(atPath: target.path)
            #expect(files.count == 16)
            #expect(files.contains("8-1-large.webp"))
            #expect(try String(contentsOf: target.appendingPathComponent("3-1-thumb.webp"), encoding: .utf8) == "image bytes of 3-1-thumb.webp")
            #expect(run.stdout.hasSuffix("downloaded 16 outputs (464 bytes) into \(target.path)\n"))
        }
        // Sixteen downloads of 150 ms each, at most three at a time: never more than three, and
        // (answered only after 150 ms each) they did overlap.
        #expect(server.mostDownloadsAtOnce <= 3)
        #expect(server.mostDownloadsAtOnce >= 2)
    }

    @Test("a job rejected while the CLI waits ends the wait with its reason and exit status 2")
    func rejectedMidWait() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.csv("rejected.csv", rows: 5, in: directory)
        let server = ContractServer()
        try await server.run { port in
            let run = try await CLIRun.run(["submit", file.path, "--wait", "--api", "http://127.0.0.1:\(port)"], terminalColumns: 80, environment: Self.script)
            #expect(run.status == 2)
            #expect(run.stdout.contains("job 000000000000abc0 (rejected.csv): rejected"))
            #expect(run.stdout.contains("  rejected: the CSV was replaced while it was read"))
        }
    }

    @Test("a refused upload prints the problem as one line naming its row and header, and exits 2")
    func problemNamesTheRow() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.csv("badrow.csv", rows: 4, in: directory)
        let server = ContractServer()
        try await server.run { port in
            let run = try await CLIRun.run(["submit", file.path, "--api", "http://127.0.0.1:\(port)"], environment: Self.script)
            #expect(run.status == 2)
            #expect(run.stdout.isEmpty)
            #expect(run.stderr == "error: The CSV cannot be used (HTTP 400) [row 3, header \"Input Image Urls\"]: row 3: the image URL cell is empty\n")
        }
    }
}
