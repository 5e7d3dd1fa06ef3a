import Foundation
import PipelineModel
import PixelPipeCore
import Synchronization

/// A binary of this package run as a child process for a test: its stdout lines are collected
/// so tests can await a log line, and it is killed when the test lets go of it.
public final class ChildProcess: @unchecked Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case timedOut(String)
        public var description: String {
            switch self { case .timedOut(let what): "timed out waiting for \(what)" }
        }
    }

    private let process = Process()
    /// Output collected by the pipe's handler thread.
    private final class Output: Sendable {
        let state = Mutex<(lines: [String], partial: String, ended: Bool)>(([], "", false))
    }
    private let output = Output()
    public let name: String

    /// The directory holding this package's built executables (next to the test bundle).
    public static var binDirectory: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// Starts `name` from this package's bin directory with `environment` added to a minimal one.
    public convenience init(_ name: String, arguments: [String] = [], environment: [String: String] = [:]) throws {
        try self.init(executable: Self.binDirectory.appendingPathComponent(name), arguments: arguments, environment: environment)
    }

    /// Starts any executable with `environment` added to a minimal one.
    public init(executable: URL, arguments: [String] = [], environment: [String: String] = [:]) throws {
        self.name = executable.lastPathComponent
        process.executableURL = executable
        process.arguments = arguments
        var base = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        base.merge(environment) { _, new in new }
        process.environment = base
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        PipeReader.start(pipe.fileHandleForReading, name: name, onData: { [output] data in
            output.state.withLock { state in
                state.partial += String(decoding: data, as: UTF8.self)
                while let newline = state.partial.firstIndex(of: "\n") {
                    state.lines.append(String(state.partial[..<newline]))
                    state.partial = String(state.partial[state.partial.index(after: newline)...])
                }
            }
        }, onEnd: { [output] in
            // End of output: keep a last unterminated line.
            output.state.withLock { state in
                if !state.partial.isEmpty { state.lines.append(state.partial) }
                state.partial = ""
                state.ended = true
            }
        })
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The child's process id (for tests that look up the processes it started).
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Whether the child is still running.
    public var isRunning: Bool { process.isRunning }

    /// Every complete line printed so far.
    public var lines: [String] { output.state.withLock { $0.lines } }

    /// Waits for the first line that satisfies `predicate`.
    public func line(where predicate: (String) -> Bool, within limit: Duration = .seconds(20), _ what: String) async throws -> String {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let match = lines.first(where: predicate) { return match }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw Failure.timedOut("\(what) from \(name); output so far:\n" + lines.joined(separator: "\n"))
    }

    /// The value of `key` in the first JSON log line whose message is `message`.
    public func logField(_ key: String, ofMessage message: String) async throws -> String {
        let line = try await line(where: { $0.contains("\"message\":\"\(message)\"") }, "log line '\(message)'")
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return object?[key] as? String ?? ""
    }

    /// Sends `signal` to the process.
    public func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its status.
    public func exitStatus(within limit: Duration = .seconds(20)) async throws -> Int32 {
        let deadline = ContinuousClock.now + limit
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw Failure.timedOut("\(name) to exit") }
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// Waits until the process has exited and everything it printed has been collected.
    public func outputEnded(within limit: Duration = .seconds(20)) async throws {
        _ = try await exitStatus(within: limit)
        // The reader thread reaches end of file once every holder of the pipe's write end (the
        // child and anything it started) has exited.
        let deadline = ContinuousClock.now + limit
        while !output.state.withLock({ $0.ended }) {
            guard ContinuousClock.now < deadline else { throw Failure.timedOut("the end of \(name)'s output") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Runs `name arguments` to completion and returns what it printed.
    public static func run(_ name: String, arguments: [String]) async throws -> (status: Int32, output: String) {
        let child = try ChildProcess(name, arguments: arguments)
        let status = try await child.exitStatus()
        try await child.outputEnded()
        return (status, child.lines.joined(separator: "\n"))
    }
}

extension ChildProcess {
    /// Stops a process that runs children of its own (an emulator and its stages): SIGTERM,
    /// SIGKILL after `grace`; then any child still running is killed too, so nothing outlives
    /// the test.
    public func stopWithChildren(grace: Duration = .seconds(20)) async {
        let children = ProcessTable.children(of: processIdentifier).map(\.pid)
        send(SIGTERM)
        if (try? await exitStatus(within: grace)) == nil {
            send(SIGKILL)
            _ = try? await exitStatus(within: .seconds(5))
        }
        for pid in children where ProcessTable.isAlive(pid) { kill(pid, SIGKILL) }
    }
}
