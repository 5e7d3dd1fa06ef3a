import Foundation
import TestSupport

/// Small, visually distinct JPEGs (320×240 colour wave patterns) made once per test run with the
/// `vips` command-line tool (libvips-tools) into a temporary directory, so no image files need
/// to be kept in the repository for the end-to-end tests.
actor TestImages {
    static let shared = TestImages()

    static let width = 320
    static let height = 240
    /// How many distinct images there are; `/img/N.jpg` serves image `N % count`.
    static let count = 8

    private var images: [Data]?

    /// The JPEG bytes of every image, generating them on first use.
    func all() async throws -> [Data] {
        if let images { return images }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-e2e-images-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var made: [Data] = []
        for index in 0..<Self.count {
            let wave = directory.appendingPathComponent("wave-\(index).v").path
            let jpeg = directory.appendingPathComponent("image-\(index).jpg").path
            // A wave pattern whose frequency and colours differ per image: -1…1 scaled to a tint.
            try await Self.vips(["sines", wave, "\(Self.width)", "\(Self.height)", "--hfreq", "\(0.5 + Double(index))", "--vfreq", "\(Double(index % 3) + 0.5)"])
            let scale = ["100 -60 40", "-80 90 30", "60 60 -100", "-110 20 80"][index % 4]
            let offset = ["128 110 90", "120 130 100", "100 140 130", "140 100 120"][(index / 2) % 4]
            // `--` so that coefficients starting with a minus are not taken for options.
            try await Self.vips(["linear", "--uchar", "--", wave, "\(jpeg)[Q=80]", scale, offset])
            made.append(try Data(contentsOf: URL(fileURLWithPath: jpeg)))
        }
        images = made
        return made
    }

    /// The JPEG served for image number `number`.
    func image(_ number: Int) async throws -> Data {
        let images = try await all()
        return images[number % images.count]
    }

    private static func vips(_ arguments: [String]) async throws {
        let tool = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("vips") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        guard let tool else { throw TestFailure("the vips command (libvips-tools) is not on PATH") }
        let child = try ChildProcess(executable: tool, arguments: arguments)
        let status = try await child.exitStatus()
        guard status == 0 else {
            try await child.outputEnded()
            throw TestFailure("vips \(arguments.joined(separator: " ")) exited \(status): \(child.lines.joined(separator: "\n"))")
        }
    }
}
