import Foundation
import Imaging
import PipelineModel
import Testing
@testable import Imaging

@Suite("Imaging bad input")
struct ImagingBadInputTests {
    let engine: ImagingEngine

    init() throws {
        engine = try ImagingEngine(configuration: ImagingConfiguration(workerThreads: 2))
    }

    static let svg = Data("""
        <?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">\
        <rect width="100" height="100" fill="red"/></svg>
        """.utf8)
    static let html = Data("<!doctype html><html><head><title>Not an image</title></head><body><img src=x></body></html>".utf8)

    static func randomBytes() -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static let cases: [(String, @Sendable () throws -> Data, ImagingError)] = [
        ("zero bytes", { Data() }, .emptyInput),
        ("random bytes", { randomBytes() }, .unsupportedFormat),
        ("an HTML page", { html }, .unsupportedFormat),
        ("an SVG (loader blocked)", { svg }, .unsupportedFormat),
        ("a truncated JPEG", {
            let full = try TestImages.jpeg(TestImages.synthetic(width: 400, height: 300, noise: 30))
            return full.prefix(full.count * 6 / 10)
        }, .undecodable),
        ("a PNG header declaring 100000 x 100000", { CraftedHeaders.png(width: 100_000, height: 100_000) }, .tooManyPixels),
        ("a JPEG claiming 30000 x 30000", {
            CraftedHeaders.jpeg(try TestImages.jpeg(TestImages.synthetic(width: 64, height: 64)), claiming: 30000, 30000)
        }, .tooManyPixels),
    ]

    @Test("bad input is a typed error from every entry point, never a crash", arguments: cases)
    func rejected(_ name: String, _ make: @Sendable () throws -> Data, _ expected: ImagingError) async throws {
        let data = try make()
        await #expect(throws: expected, "process: \(name)") { try await engine.process(data, recipe: .default) }
        await #expect(throws: expected, "thumbnail: \(name)") { try await engine.thumbnail(data, width: 100) }
        await #expect(throws: expected, "analyse: \(name)") { try await engine.analyse(data) }
    }

    @Test("oversized headers are refused by the probe itself, before decoding")
    func probeRejectsBombs() async throws {
        let png = CraftedHeaders.png(width: 100_000, height: 100_000)
        let before = TestImages.residentBytes()
        for _ in 0..<20 {
            await #expect(throws: ImagingError.tooManyPixels) { try await engine.probe(png) }
            await #expect(throws: ImagingError.tooManyPixels) { try await engine.process(png, recipe: .default) }
        }
        // Decoding 10^10 pixels would need 30 GB. Other suites run in this process at the same
        // time, so the bound is loose; the benchmark measures the probe alone.
        #expect(TestImages.residentBytes() - before < 256 << 20)
    }

    @Test("the pixel limit counts all frames and is configurable")
    func configurableLimit() async throws {
        let source = try TestImages.jpeg(TestImages.synthetic(width: 400, height: 300))
        let strict = try ImagingEngine(configuration: ImagingConfiguration(maxPixels: 100_000, workerThreads: 1))
        await #expect(throws: ImagingError.tooManyPixels) { try await strict.probe(source) }
        _ = try await engine.probe(source)
        let gif = try TestImages.animatedGIF(width: 100, height: 100, frames: 5)
        let framesCounted = try ImagingEngine(configuration: ImagingConfiguration(maxPixels: 40_000, workerThreads: 1))
        await #expect(throws: ImagingError.tooManyPixels) { try await framesCounted.probe(gif) }
    }

    @Test("SVG, PDF and other document loaders are blocked in-process")
    func loadersBlocked() throws {
        _ = engine
        for loader in ["svgload_buffer", "pdfload_buffer", "magickload_buffer", "matrixload_source", "vipsload_source"] {
            #expect(ImagingEngine.isLoaderBlocked(loader), "\(loader)")
        }
        for loader in ["jpegload_buffer", "pngload_buffer", "webpload_buffer", "gifload_buffer", "heifload_buffer"] {
            #expect(!ImagingEngine.isLoaderBlocked(loader), "\(loader)")
        }
    }

    @Test("a bad watermark image fails the recipe, not the process")
    func badWatermark() async throws {
        let source = try TestImages.jpeg(TestImages.synthetic(width: 200, height: 100))
        var recipe = Recipe(sizes: [.init(name: "s", width: 100, height: 100)], formats: [.jpeg])
        recipe.watermark = .init(content: .image(Self.html))
        await #expect(throws: ImagingError.invalidRecipe) { try await engine.process(source, recipe: recipe) }
    }

    @Test("errors carry libvips' message and a stable label")
    func errorDetail() async throws {
        let error = await #expect(throws: ImagingError.self) { try await engine.process(Self.randomBytes(), recipe: .default) }
        #expect(error?.label == "unsupportedFormat")
        #expect(error?.isTransient == false)
        #expect(error?.detail.isEmpty == false)
    }
}
