import Foundation

/// The pipeline file an end-to-end test runs: the repository's own `infra/pipeline.yaml` (the
/// topology the emulator and the deployment use), with the test's settings merged into its
/// shared top-level `env:` block, so the stages run exactly as configured there apart from
/// what the test says.
public struct PipelineFile {
    /// `infra/pipeline.yaml` of this checkout.
    public static var repositoryFile: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent() // TestSupport
            .deletingLastPathComponent() // Tests
            .deletingLastPathComponent()
            .appendingPathComponent("infra/pipeline.yaml")
    }

    /// Variables added to (or replacing those of) the shared `env:` block.
    public var environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// The YAML text: the repository file with the `env:` block rewritten, and without the
    /// services' pinned ports (`port: 8086` of the api service): a test's services take free
    /// ports, so tests running at once, and a developer's own `emulator up`, do not collide.
    ///
    /// Text surgery rather than a YAML library because the test target links only Runtime and
    /// TestSupport; the block is a flat map of two-space-indented `KEY: value` lines, which is
    /// all this has to handle (it fails loudly if the file stops looking like that).
    public func render() throws -> String {
        let source = try String(contentsOf: Self.repositoryFile, encoding: .utf8)
        var lines = source.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: "env:") else {
            throw TestFailure("infra/pipeline.yaml has no top-level `env:` block")
        }
        var end = start + 1
        var shared: [(key: String, value: String)] = []
        while end < lines.count, lines[end].hasPrefix("  ") {
            let line = lines[end].trimmingCharacters(in: .whitespaces)
            if !line.hasPrefix("#"), let colon = line.firstIndex(of: ":") {
                shared.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            }
            end += 1
        }
        var block = shared.filter { environment[$0.key] == nil }.map { "  \($0.key): \($0.value)" }
        for (key, value) in environment.sorted(by: { $0.key < $1.key }) {
            block.append("  \(key): \(try Self.quoted(value))")
        }
        lines.replaceSubrange((start + 1)..<end, with: block)
        lines.removeAll { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return line.hasPrefix("    ") && trimmed.hasPrefix("port:") && Int(trimmed.dropFirst(5).trimmingCharacters(in: .whitespaces)) != nil
        }
        return lines.joined(separator: "\n")
    }

    /// The repository's pipeline as it is but for its pinned ports, written to `url`: what a
    /// test that runs the default pipeline passes as `--pipeline`, so that tests running at
    /// once (and a developer's own `emulator up` on the pinned port) do not collide.
    public static func writeUnpinned(to url: URL) throws -> URL {
        try PipelineFile(environment: [:]).render().write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Writes the file into `directory` and returns its URL.
    public func write(into directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("pipeline.yaml")
        try render().write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A YAML double-quoted scalar (a JSON string is one), so JSON recipes and URLs survive.
    private static func quoted(_ value: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// A failure of the test harness itself, with a message saying what was expected.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
