import Foundation

/// One run of the built `pixelpipe` binary: piped (standard output a pipe) or under a
/// pseudo-terminal of a given width (through `Tests/CLITests/Fixtures/pty-run.py`), with what it
/// wrote to each stream and its exit status.
public struct CLIRun: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    /// The built binary, next to the test bundle.
    public static var binary: URL { ChildProcess.binDirectory.appendingPathComponent("pixelpipe") }

    /// The pseudo-terminal runner (Python's `pty`).
    static var ptyRunner: URL { fixture("pty-run.py") }

    /// The runner that types answers to prompts on a pseudo-terminal.
    static var ptyAnswerer: URL { fixture("pty-answer.py") }

    private static func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent() // TestSupport
            .deletingLastPathComponent() // Tests
            .appendingPathComponent("CLITests/Fixtures/\(name)")
    }

    /// The frames a terminal was sent: what follows each `\r` + erase-line, up to a newline.
    public var frames: [String] {
        stdout.components(separatedBy: "\r\u{1B}[2K").dropFirst().map { $0.components(separatedBy: "\n").first ?? $0 }
    }

    /// A credentials folder no test writes to: runs that do not name their own
    /// (`PIXELPIPE_CONFIG_DIR`) look there, never at the developer's `~/.config/pixelpipe`.
    public static let noCredentials = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-cli-tests-no-credentials").path

    /// Runs `pixelpipe arguments`; with `terminalColumns`, on a terminal that wide; with
    /// `standardInput`, those bytes on its standard input (else none); with `typing`, on a
    /// terminal for all three streams, typing `typing.answers` one per `typing.prompt` shown (its
    /// `stdout` is then everything the terminal showed). The environment is a
    /// minimal one plus `environment`; `PIXELPIPE_PORT` points discovery at a port nothing
    /// serves unless the test says otherwise, so no emulator of the developer's is found, and
    /// `PIXELPIPE_CONFIG_DIR` at `noCredentials`.
    public static func run(
        _ arguments: [String], terminalColumns: Int? = nil, environment: [String: String] = [:], standardInput: Data? = nil,
        typing: (prompt: String, answers: [String])? = nil, in directory: URL? = nil
    ) async throws -> CLIRun {
        let process = Process()
        if let typing {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", ptyAnswerer.path, typing.prompt] + typing.answers + ["--", binary.path] + arguments
        } else if let terminalColumns {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", ptyRunner.path, String(terminalColumns), binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        var base = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "PIXELPIPE_PORT": "9", "TERM": "xterm-256color",
            "PIXELPIPE_CONFIG_DIR": noCredentials,
        ]
        base.merge(environment) { _, new in new }
        process.environment = base
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = standardInput.map { _ in Pipe() }
        process.standardInput = input ?? FileHandle.nullDevice
        try process.run()
        if let input, let standardInput {
            // Small (a password line): the pipe's buffer holds it, so this write cannot block.
            input.fileHandleForWriting.write(standardInput)
            try? input.fileHandleForWriting.close()
        }
        // Blocking reads on threads of their own: a test's own servers need the cooperative pool
        // to answer the binary while it runs, and Dispatch's global pool grows by a thread a
        // second or so when many runs block it at once.
        async let stdout = onOwnThread { out.fileHandleForReading.readDataToEndOfFile() }
        async let stderr = onOwnThread { err.fileHandleForReading.readDataToEndOfFile() }
        let (output, errors) = await (stdout, stderr)
        await onOwnThread { process.waitUntilExit() }
        return CLIRun(status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self), stderr: String(decoding: errors, as: UTF8.self))
    }

    private static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }

    /// A temporary folder for a test's files, removed by `cleanUp`.
    public static func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
