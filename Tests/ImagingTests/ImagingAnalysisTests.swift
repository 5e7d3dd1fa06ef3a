import CVipsShims
import Foundation
import Imaging
import PipelineModel
import Testing
@testable import Imaging

@Suite("Imaging analysis")
struct ImagingAnalysisTests {
    let engine: ImagingEngine

    init() throws {
        engine = try ImagingEngine(configuration: ImagingConfiguration(workerThreads: 2))
    }

    @Test("width, height, format, alpha and dominant colour are reported")
    func basics() async throws {
        let image = try TestImages.solid(width: 300, height: 200, [200, 30, 40, 255])
        TestImages.fill(image, [10, 200, 10, 255], x: 0, y: 0, width: 60, height: 60)
        let analysis = try await engine.analyse(TestImages.png(image))
        #expect(analysis.width == 300 && analysis.height == 200)
        #expect(analysis.format == .png && analysis.hasAlpha)
        // Resampling blurs the block edges a little, so allow a couple of levels either way.
        let components = stride(from: 1, to: 7, by: 2).map { Int(analysis.dominantColor.dropFirst($0).prefix(2), radix: 16) ?? -99 }
        #expect(zip(components, [200, 30, 40]).allSatisfy { abs($0 - $1) <= 3 }, "\(analysis.dominantColor)")
        let jpeg = try await engine.analyse(TestImages.jpeg(TestImages.synthetic(width: 120, height: 80)))
        #expect(jpeg.format == .jpeg && !jpeg.hasAlpha)
    }

    @Test("the perceptual hash is stable under re-encoding and resizing")
    func hashStable() async throws {
        let original = try TestImages.scene(width: 800, height: 600, seed: 3)
        let reference = try await engine.analyse(TestImages.png(original))
        let variants = [
            try TestImages.jpeg(original, quality: 30),
            try TestImages.webp(original),
            try await engine.thumbnail(TestImages.png(original), width: 200, format: .jpeg, quality: 40).data,
        ]
        for variant in variants {
            let analysis = try await engine.analyse(variant)
            #expect(analysis.perceptualHash.distance(to: reference.perceptualHash) <= 8)
            #expect(engine.areNearDuplicates(analysis, reference))
        }
    }

    @Test("the perceptual hash is far apart for different images")
    func hashDiscriminates() async throws {
        let gradient = try await engine.analyse(TestImages.png(TestImages.synthetic(width: 400, height: 300)))
        let blocks = try await engine.analyse(TestImages.png(TestImages.blocks(width: 400, height: 300)))
        let rotated = try await engine.analyse(TestImages.png(TestImages.rotated(TestImages.blocks(width: 400, height: 300), VIPS_ANGLE_D90)))
        let other = try await engine.analyse(TestImages.png(TestImages.scene(width: 400, height: 300, seed: 4)))
        let scene = try await engine.analyse(TestImages.png(TestImages.scene(width: 400, height: 300, seed: 3)))
        #expect(gradient.perceptualHash.distance(to: blocks.perceptualHash) > 20)
        #expect(scene.perceptualHash.distance(to: other.perceptualHash) > 20)
        #expect(blocks.perceptualHash.distance(to: rotated.perceptualHash) > 20)
        #expect(!engine.areNearDuplicates(gradient, blocks))
    }

    @Test("Hamming distance and hex form of hashes")
    func hashHelpers() throws {
        let a = PerceptualHash(0xFFFF_0000_FFFF_0000)
        let b = PerceptualHash(0xFFFF_0000_FFFF_000F)
        #expect(a.distance(to: b) == 4 && a.distance(to: a) == 0)
        #expect(a.isNearDuplicate(of: b, threshold: 4) && !a.isNearDuplicate(of: b, threshold: 3))
        #expect(a.description == "ffff0000ffff0000")
        #expect(PerceptualHash(hex: "000000000000000f") == PerceptualHash(15))
        #expect(PerceptualHash(hex: "xyz") == nil)
        let json = try JSONEncoder().encode(a)
        #expect(try JSONDecoder().decode(PerceptualHash.self, from: json) == a)
    }

    @Test("process returns the same analysis as analyse, up to sampling")
    func processAnalysis() async throws {
        let source = try TestImages.jpeg(TestImages.synthetic(width: 1200, height: 900))
        let processed = try await engine.process(source, recipe: .default)
        let analysed = try await engine.analyse(source)
        #expect(processed.analysis.width == 1200 && processed.analysis.height == 900)
        #expect(processed.analysis.perceptualHash.distance(to: analysed.perceptualHash) <= 4)
    }
}
