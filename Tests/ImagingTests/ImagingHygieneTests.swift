import Foundation
import Imaging
import PipelineModel
import Testing
@testable import Imaging

@Suite("Imaging hygiene")
struct ImagingHygieneTests {
    @Test("resident memory stays flat over repeated default recipes")
    func noLeaks() async throws {
        let engine = try ImagingEngine(configuration: ImagingConfiguration(workerThreads: 2))
        let source = try TestImages.jpeg(TestImages.synthetic(width: 640, height: 480))
        for _ in 0..<20 { _ = try await engine.process(source, recipe: .default) }
        let warm = TestImages.residentBytes()
        for _ in 0..<200 { _ = try await engine.process(source, recipe: .default) }
        let growth = TestImages.residentBytes() - warm
        // Generous: other suites run concurrently in this process. A leak of the decoded image
        // alone (640x480x3) would be 180 MB over 200 runs.
        #expect(growth < 64 << 20, "grew \(growth >> 20) MiB")
    }

    @Test("concurrent calls each get their own correct result")
    func concurrent() async throws {
        let engine = try ImagingEngine(configuration: ImagingConfiguration(workerThreads: 2))
        let widths = [120, 160, 200, 240, 280, 320, 360, 400]
        let source = try TestImages.jpeg(TestImages.synthetic(width: 800, height: 600))
        let results = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for width in widths {
                group.addTask { (width, try await engine.thumbnail(source, width: width).width) }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for width in widths { #expect(results[width] == width) }
    }

    @Test("a cancelled task does not start libvips work")
    func cancelled() async throws {
        let engine = try ImagingEngine(configuration: ImagingConfiguration(workerThreads: 1))
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await engine.probe(Data([0xFF, 0xD8]))
        }
        await #expect(throws: ImagingError.cancelled) { try await task.value }
    }

    @Test("libvips is 8.14 or newer, where untrusted loaders can be blocked")
    func version() {
        let parts = ImagingEngine.libvipsVersion.split(separator: ".").compactMap { Int($0) }
        #expect(parts.count >= 2 && (parts[0], parts[1]) >= (8, 14))
    }
}
