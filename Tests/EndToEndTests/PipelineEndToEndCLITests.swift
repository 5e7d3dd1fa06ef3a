import Foundation
import PipelineModel
import PixelPipeCLI
import Testing
import TestSupport

/// The built `pixelpipe` binary against the real api service under `emulator up` with the four
/// stages: a job followed on a pseudo-terminal (frames redrawn in place, then the summary) and
/// piped (plain lines), with the exit statuses 0, 1 and 2 a user's script relies on, and the
/// outputs downloaded. Each test signs up a user of its own with `pixelpipe signup
/// --password-stdin` against the emulator's identity service and runs every command with that
/// user's credentials folder. (The cases a real api cannot produce on demand are in
/// `CLITests/CLIScriptedServerTests` and `CLITests/CLIAccountTests`.)
@Suite("Pipeline end to end: the pixelpipe CLI", .serialized, .sharedPipeline())
struct PipelineEndToEndCLITests {
    /// A CSV of `images` (numbers on the test image server) as a file in `directory`.
    private static func csv(_ name: String, images: [Int], pipeline: PipelineHarness, in directory: URL) throws -> URL {
        var text = "S. No.,Product Name,Input Image Urls\n"
        for (row, image) in images.enumerated() { text += "\(row + 1),Product \(image),\(pipeline.images.url(image))\n" }
        let file = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file
    }

    private static func apiURL(_ pipeline: PipelineHarness) throws -> String {
        guard let url = pipeline.emulator.serviceURLs["api"] else { throw TestFailure("no api service: \(pipeline.emulator.serviceURLs)") }
        return url
    }

    /// A user signed up through the CLI, whose credentials are in a folder of their own.
    private struct User {
        var email: String
        var config: URL
        /// The environment every command of this user runs with.
        var environment: [String: String] { ["PIXELPIPE_CONFIG_DIR": config.path] }
    }

    /// `pixelpipe signup --email NEW --password-stdin` against the pipeline's api (its
    /// `/config.json` names the emulator's identity service), keeping the sign-in in `directory`.
    private static func signUp(_ pipeline: PipelineHarness, in directory: URL) async throws -> User {
        let user = User(email: "cli-\(UUID().uuidString.prefix(8).lowercased())@example.com", config: directory.appendingPathComponent("config"))
        let run = try await CLIRun.run(["signup", "--email", user.email, "--password-stdin", "--api", try apiURL(pipeline)],
                                       environment: user.environment, standardInput: Data("correct horse battery\n".utf8))
        guard run.status == 0 else { throw TestFailure("signup of \(user.email) exited \(run.status): \(run.stderr)") }
        return user
    }

    @Test("an account's life: signup, whoami (email, uid, limits and usage from /v1/me), submit, jobs lists the job (also after a refresh at Secure Token; another user's jobs do not, and once disabled they are told to sign in again), logout, then jobs is not signed in (exit 1)")
    func accountLifecycle() async throws {
        let pipeline = try SharedPipeline.harness()
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let api = try Self.apiURL(pipeline)
        let user = try await Self.signUp(pipeline, in: directory)
        let credentials = try #require(try CredentialsStore(directory: user.config).read().apis[api])
        #expect(credentials.email == user.email)
        let mode = try FileManager.default.attributesOfItem(atPath: user.config.appendingPathComponent("credentials.json").path)[.posixPermissions] as? Int
        #expect(mode.map { $0 & 0o777 } == 0o600)

        let whoami = try await CLIRun.run(["whoami", "--api", api], environment: user.environment)
        #expect(whoami.status == 0, "stderr: \(whoami.stderr)")
        #expect(whoami.stdout == """
            api:    \(api)
            email:  \(user.email)
            uid:    \(credentials.uid)
            admin:  no
            limits: 10 active jobs, 100000 images a day
            usage:  0 active jobs, 0 images today

            """)

        let file = try Self.csv("mine.csv", images: [3501, 3502], pipeline: pipeline, in: directory)
        let submitted = try await CLIRun.run(["submit", file.path, "--wait", "--api", api], environment: user.environment)
        #expect(submitted.status == 0, "stdout: \(submitted.stdout) stderr: \(submitted.stderr)")
        let id = try #require(submitted.stdout.firstMatch(of: /job ([0-9a-f]{16})/).map { String($0.1) })
        let listed = try await CLIRun.run(["jobs", "--api", api], environment: user.environment)
        #expect(listed.status == 0, "stderr: \(listed.stderr)")
        let rows = listed.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first?.hasPrefix("JOB ") == true)
        #expect(rows.dropFirst().map { String($0.prefix(16)) } == [id], "only this user's one job: \(listed.stdout)")

        // An ID token past its time is exchanged at the emulator's Secure Token first.
        let store = CredentialsStore(directory: user.config)
        var expired = credentials
        expired.idTokenExpiresAt = Date().addingTimeInterval(-60)
        try store.save(expired, for: api)
        #expect(try await CLIRun.run(["jobs", "--api", api], environment: user.environment).status == 0)
        #expect(try #require(try store.credentials(for: api)).idTokenExpiresAt.timeIntervalSinceNow > 3000)

        let other = try await Self.signUp(pipeline, in: directory.appendingPathComponent("other"))
        let theirs = try await CLIRun.run(["jobs", "--api", api], environment: other.environment)
        #expect(theirs.status == 0)
        #expect(theirs.stdout == "no jobs yet\n", "another user sees only their own jobs")
        // Their account disabled, their refresh token is refused: one line saying to sign in again.
        let otherStore = CredentialsStore(directory: other.config)
        var otherCredentials = try #require(try otherStore.credentials(for: api))
        try await IdentityUser.disable(emulator: pipeline.emulator.baseURL, project: otherCredentials.projectId, uid: otherCredentials.uid)
        otherCredentials.idTokenExpiresAt = Date().addingTimeInterval(-60)
        try otherStore.save(otherCredentials, for: api)
        let disabled = try await CLIRun.run(["jobs", "--api", api], environment: other.environment)
        #expect(disabled.status == 1)
        #expect(disabled.stderr == "error: the sign-in of \(other.email) no longer holds (the account is disabled) — sign in again: `pixelpipe login --api \(api)`\n")

        let out = try await CLIRun.run(["logout", "--api", api], environment: user.environment)
        #expect(out.status == 0)
        #expect(out.stdout.hasPrefix("signed out of \(api) (\(user.email))"))
        let after = try await CLIRun.run(["jobs", "--api", api], environment: user.environment)
        #expect(after.status == 1)
        #expect(after.stdout.isEmpty)
        #expect(after.stderr == "error: not signed in to the jobs API at \(api) — run `pixelpipe login` (or `pixelpipe signup`)\n")
    }

    @Test("on a terminal, submit --wait redraws its progress line in place and ends with the summary; every image succeeded: exit 0")
    func terminal() async throws {
        let pipeline = try SharedPipeline.harness()
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let images = Array(3001...3008)
        // Two slow sources keep the job running for a few of the CLI's reads.
        pipeline.images.script(3007, .slow(.milliseconds(1500)))
        pipeline.images.script(3008, .slow(.milliseconds(1500)))
        let file = try Self.csv("lamps.csv", images: images, pipeline: pipeline, in: directory)
        let api = try Self.apiURL(pipeline)
        let user = try await Self.signUp(pipeline, in: directory)
        let run = try await CLIRun.run(["submit", file.path, "--wait", "--api", api], terminalColumns: 90, environment: user.environment)
        #expect(run.status == 0, "stdout: \(run.stdout.debugDescription) stderr: \(run.stderr)")
        let frames = run.frames
        #expect(Set(frames).count >= 3, "frames: \(frames)")
        for frame in frames { #expect(ProgressLine.visibleWidth(frame) <= 89, "too wide: \(frame.debugDescription)") }
        #expect(frames.first?.hasPrefix("lamps.csv  ") == true)
        #expect(frames.last?.contains("100%  8/8") == true && frames.last?.contains("finished") == true)
        let summary = run.stdout.components(separatedBy: "\n").dropFirst().joined(separator: "\n")
        #expect(!summary.contains("\r"))
        #expect(summary.contains(": finished in "))
        #expect(summary.contains("  8 images: 8 succeeded, 0 failed"))
        let id = try #require(summary.firstMatch(of: /job ([0-9a-f]{16}) \(lamps\.csv\)/)?.1)
        #expect(summary.contains("  output CSV:  \(api)/v1/jobs/\(id)/output.csv"))

        // The outputs it points at are there: every one downloaded.
        let target = directory.appendingPathComponent("outputs")
        let download = try await CLIRun.run(["results", String(id), "--download", target.path, "--api", api], environment: user.environment)
        #expect(download.status == 0, "stderr: \(download.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: target.path)
        let perImage = PipelineHarness.sizes.count * PipelineHarness.formats.count
        #expect(files.count == images.count * perImage)
        #expect(files.contains("1-1-small.webp") && files.contains("8-1-medium.jpeg"))
    }

    @Test("piped, progress is plain lines without escape codes; a 404 and a page that is not an image fail: summary by reason, exit 1")
    func pipedWithFailures() async throws {
        let pipeline = try SharedPipeline.harness()
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        pipeline.images.script(3102, .status(404))
        pipeline.images.script(3103, .status(404))
        pipeline.images.script(3104, .notAnImage)
        let file = try Self.csv("chairs.csv", images: [3101, 3102, 3103, 3104], pipeline: pipeline, in: directory)
        let user = try await Self.signUp(pipeline, in: directory)
        let run = try await CLIRun.run(["submit", file.path, "--wait", "--api", try Self.apiURL(pipeline)], environment: user.environment)
        #expect(run.status == 1, "stdout: \(run.stdout) stderr: \(run.stderr)")
        #expect(!run.stdout.contains("\u{1B}") && !run.stdout.contains("\r"))
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("job ") && $0.contains(": ") && !$0.contains("(chairs.csv)") }.count >= 2, "progress lines: \(lines)")
        #expect(lines.contains { $0.hasSuffix(": finished_with_errors 4/4 (100%), 1 succeeded, 3 failed") })
        #expect(lines.contains("  4 images: 1 succeeded, 3 failed"))
        #expect(lines.contains("    2 × the source answered HTTP 404  (row 2 image 1, row 3 image 1)"))
        #expect(lines.contains { $0.hasPrefix("    1 × ") && $0.hasSuffix("(row 4 image 1)") })

        let failed = try await CLIRun.run(["results", String(lines.first?.dropFirst(4).prefix(16) ?? ""), "--failed", "--api", try Self.apiURL(pipeline)], environment: user.environment)
        #expect(failed.status == 0)
        #expect(failed.stdout.split(separator: "\n").map { String($0.prefix(3)) } == ["2-1", "3-1", "4-1"])
    }

    @Test("image runs a file (uploaded) and a URL each as a job of one item with the given recipe; jobs lists them newest first")
    func images() async throws {
        let pipeline = try SharedPipeline.harness()
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("photo.jpg")
        try (try await TestImages.shared.all())[0].write(to: file)
        let api = try Self.apiURL(pipeline)
        let user = try await Self.signUp(pipeline, in: directory)
        let recipe = #"{"sizes":[{"name":"tiny","width":32}],"formats":["webp"]}"#
        let uploaded = try await CLIRun.run(["image", file.path, "--recipe", recipe, "--wait", "--api", api], environment: user.environment)
        #expect(uploaded.status == 0, "stdout: \(uploaded.stdout) stderr: \(uploaded.stderr)")
        #expect(uploaded.stdout.contains("  1 image: 1 succeeded, 0 failed"))
        #expect(uploaded.stdout.contains("-1-tiny.webp"))
        let linked = try await CLIRun.run(["image", pipeline.images.url(3201), "--recipe", recipe, "--wait", "--api", api], environment: user.environment)
        #expect(linked.status == 0, "stdout: \(linked.stdout) stderr: \(linked.stderr)")
        #expect(linked.stdout.contains("  1 image: 1 succeeded, 0 failed"))
        let ids = [uploaded, linked].compactMap { $0.stdout.firstMatch(of: /job ([0-9a-f]{16}):/).map { String($0.1) } }
        #expect(ids.count == 2)
        let listed = try await CLIRun.run(["jobs", "--status", "finished", "--limit", "2", "--api", api], environment: user.environment)
        #expect(listed.status == 0)
        let rows = listed.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first?.hasPrefix("JOB               STATUS    DONE  SUCCEEDED  FAILED  TOTAL  CREATED") == true, "\(rows)")
        #expect(rows.dropFirst().filter { !$0.hasPrefix("(more") }.map { String($0.prefix(16)) } == ids.reversed())
    }

    @Test("cancel stops a running job (exit 0); status --wait then ends cancelled (exit 1); cancelling a finished job is a 409 in one line (exit 2)")
    func cancel() async throws {
        let pipeline = try SharedPipeline.harness()
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let api = try Self.apiURL(pipeline)
        let user = try await Self.signUp(pipeline, in: directory)
        // Slow sources keep the job running until it is cancelled.
        for image in 3401...3404 { pipeline.images.script(image, .slow(.seconds(3))) }
        let file = try Self.csv("slow.csv", images: Array(3401...3404), pipeline: pipeline, in: directory)
        let submitted = try await CLIRun.run(["submit", file.path, "--api", api], environment: user.environment)
        #expect(submitted.status == 0)
        let id = try #require(submitted.stdout.firstMatch(of: /job ([0-9a-f]{16}):/).map { String($0.1) })
        _ = try await eventually("job \(id) running") { () -> Bool? in
            try await CLIRun.run(["status", id, "--api", api], environment: user.environment).stdout.contains("job \(id): running") ? true : nil
        }
        let cancelled = try await CLIRun.run(["cancel", id, "--api", api], environment: user.environment)
        #expect(cancelled.status == 0, "stderr: \(cancelled.stderr)")
        #expect(cancelled.stdout.hasPrefix("job \(id): "))
        let final = try await CLIRun.run(["status", id, "--wait", "--api", api], environment: user.environment)
        #expect(final.status == 1, "stdout: \(final.stdout) stderr: \(final.stderr)")
        #expect(final.stdout.contains("job \(id) (slow.csv): cancelled"))
        #expect(final.stdout.contains(/4 images: \d+ succeeded, \d+ failed.*, [1-4] cancelled\n/), "the images not started are counted cancelled: \(final.stdout)")

        let quick = try Self.csv("quick.csv", images: [3405], pipeline: pipeline, in: directory)
        let done = try await CLIRun.run(["submit", quick.path, "--wait", "--api", api], environment: user.environment)
        #expect(done.status == 0)
        let doneID = try #require(done.stdout.firstMatch(of: /job ([0-9a-f]{16}):/).map { String($0.1) })
        let late = try await CLIRun.run(["cancel", doneID, "--api", api], environment: user.environment)
        #expect(late.status == 2)
        #expect(late.stdout.isEmpty)
        #expect(late.stderr.hasPrefix("error: ") && late.stderr.contains("(HTTP 409)") && late.stderr.split(separator: "\n").count == 1, "\(late.stderr)")
    }

    @Test("a CSV the api refuses (no image URL column) is one line naming the header, exit 2; status of an unknown job exits 2")
    func refused() async throws {
        let pipeline = try SharedPipeline.harness()
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("no-urls.csv")
        try Data("S. No.,Product Name\n1,Lamp\n".utf8).write(to: file)
        let api = try Self.apiURL(pipeline)
        let user = try await Self.signUp(pipeline, in: directory)
        let run = try await CLIRun.run(["submit", file.path, "--wait", "--api", api], terminalColumns: 80, environment: user.environment)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(run.stderr.hasPrefix("error: ") && run.stderr.contains("(HTTP 400)") && run.stderr.contains("header \"Input Image Urls\""), "\(run.stderr)")
        let unknown = try await CLIRun.run(["status", "ffffffffffffffff", "--api", api], environment: user.environment)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("(HTTP 404)"))
    }
}
