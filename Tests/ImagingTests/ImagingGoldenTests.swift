import CVipsShims
import Foundation
import Imaging
import PipelineModel
import Testing
@testable import Imaging

@Suite("Imaging golden properties")
struct ImagingGoldenTests {
    let engine: ImagingEngine

    init() throws {
        engine = try ImagingEngine(configuration: ImagingConfiguration(workerThreads: 2))
    }

    static let fits: [(Recipe.Size, width: Int, height: Int)] = [
        (Recipe.Size(name: "box", width: 200, height: 200, fit: .inside), 200, 150),
        (Recipe.Size(name: "narrow", width: 100, height: nil, fit: .inside), 100, 75),
        (Recipe.Size(name: "short", width: nil, height: 60, fit: .inside), 80, 60),
        (Recipe.Size(name: "huge", width: 2000, height: 2000, fit: .inside), 400, 300),
        (Recipe.Size(name: "square", width: 120, height: 120, fit: .cover), 120, 120),
        (Recipe.Size(name: "tall", width: 90, height: 160, fit: .cover, crop: .attention), 90, 160),
        (Recipe.Size(name: "stretch", width: 100, height: 300, fit: .fill), 100, 300),
    ]

    @Test("each fit mode produces the documented dimensions from a 400x300 source", arguments: fits)
    func dimensions(size: Recipe.Size, width: Int, height: Int) async throws {
        let source = try TestImages.jpeg(TestImages.synthetic(width: 400, height: 300))
        let result = try await engine.process(source, recipe: Recipe(sizes: [size], formats: [.png]))
        let output = try #require(result.renditions.first)
        #expect(output.width == width && output.height == height)
        let decoded = try TestImages.decode(output.data)
        #expect(decoded.width == width && decoded.height == height)
    }

    static let smallSource: [(Recipe.Size, width: Int, height: Int)] = [
        (Recipe.Size(name: "inside", width: 400, height: 400, fit: .inside), 120, 80),
        (Recipe.Size(name: "wide", width: 600, height: nil, fit: .inside), 120, 80),
        // The box scaled down to fit the source, keeping its shape: 200x200 → 80x80, then covered.
        (Recipe.Size(name: "cover", width: 200, height: 200, fit: .cover), 80, 80),
        // 300x150 → 120x60 (limited by the width), then stretched to it.
        (Recipe.Size(name: "fill", width: 300, height: 150, fit: .fill), 120, 60),
        (Recipe.Size(name: "tall", width: 50, height: 200, fit: .fill), 20, 80),
        (Recipe.Size(name: "inside", width: 400, height: 400, fit: .inside, enlarge: true), 400, 267),
        (Recipe.Size(name: "cover", width: 200, height: 200, fit: .cover, enlarge: true), 200, 200),
        (Recipe.Size(name: "fill", width: 300, height: 150, fit: .fill, enlarge: true), 300, 150),
    ]

    @Test("a 120x80 source is never enlarged unless the size says enlarge; cover and fill keep the box's shape, scaled down to fit the source", arguments: smallSource)
    func noEnlargement(size: Recipe.Size, width: Int, height: Int) async throws {
        let source = try TestImages.png(TestImages.synthetic(width: 120, height: 80))
        let result = try await engine.process(source, recipe: Recipe(sizes: [size], formats: [.png]))
        let output = try TestImages.decode(try #require(result.renditions.first).data)
        #expect(output.width == width && output.height == height, "\(size.name) enlarge=\(size.enlarge): \(output.width)x\(output.height)")
    }

    @Test("every size in every format is produced, in that format, and decodes")
    func everyOutputDecodes() async throws {
        let source = try TestImages.jpeg(TestImages.synthetic(width: 640, height: 480))
        let recipe = Recipe(
            sizes: [
                .init(name: "large", width: 320, height: 320),
                .init(name: "small", width: 100, height: 100, fit: .cover),
            ],
            formats: OutputFormat.allCases
        )
        let result = try await engine.process(source, recipe: recipe)
        #expect(result.renditions.count == 8)
        let loaders: [OutputFormat: String] = [.jpeg: "jpegload", .webp: "webpload", .avif: "heifload", .png: "pngload"]
        for rendition in result.renditions {
            let decoded = try TestImages.decode(rendition.data)
            #expect(decoded.width == rendition.width && decoded.height == rendition.height, "\(rendition.size) \(rendition.format)")
            #expect(try TestImages.loader(of: rendition.data).hasPrefix(loaders[rendition.format]!))
        }
        #expect(result.renditions.map(\.size) == ["large", "large", "large", "large", "small", "small", "small", "small"])
    }

    @Test("lower quality gives smaller files", arguments: [OutputFormat.jpeg, .webp, .avif])
    func qualityShrinksFiles(format: OutputFormat) async throws {
        let source = try TestImages.jpeg(TestImages.synthetic(width: 400, height: 300, noise: 20))
        let size = Recipe.Size(name: "out", width: 400, height: 300)
        let high = try await engine.process(source, recipe: Recipe(sizes: [size], formats: [format], quality: 90))
        let low = try await engine.process(source, recipe: Recipe(sizes: [size], formats: [format], quality: 20))
        #expect(low.renditions[0].data.count < high.renditions[0].data.count)
    }

    @Test("progressive JPEG is written only when asked")
    func progressive() async throws {
        let source = try TestImages.jpeg(TestImages.synthetic(width: 400, height: 300))
        let size = Recipe.Size(name: "s", width: 200, height: 200)
        func startOfFrame(_ data: Data) -> UInt8? {
            let bytes = [UInt8](data)
            return bytes.indices.dropLast().first { bytes[$0] == 0xFF && (0xC0...0xC2).contains(bytes[$0 + 1]) }.map { bytes[$0 + 1] }
        }
        let baseline = try await engine.process(source, recipe: Recipe(sizes: [size], formats: [.jpeg]))
        let interlaced = try await engine.process(source, recipe: Recipe(sizes: [size], formats: [.jpeg], progressive: true))
        #expect(startOfFrame(baseline.renditions[0].data) != 0xC2)
        #expect(startOfFrame(interlaced.renditions[0].data) == 0xC2)
    }

    /// The upright picture: 80x40, red top-left block, blue elsewhere.
    static func upright() throws -> VipsImageRef {
        let image = try TestImages.solid(width: 80, height: 40, [0, 0, 255])
        TestImages.fill(image, [255, 0, 0], x: 0, y: 0, width: 30, height: 15)
        return image
    }

    /// The stored pixels that a viewer honouring EXIF `orientation` shows as `upright`.
    static func stored(_ upright: VipsImageRef, orientation: Int) throws -> VipsImageRef {
        switch orientation {
        case 2: return try TestImages.flipped(upright, VIPS_DIRECTION_HORIZONTAL)
        case 3: return try TestImages.rotated(upright, VIPS_ANGLE_D180)
        case 4: return try TestImages.flipped(upright, VIPS_DIRECTION_VERTICAL)
        case 5: return try TestImages.flipped(TestImages.rotated(upright, VIPS_ANGLE_D90), VIPS_DIRECTION_HORIZONTAL)
        case 6: return try TestImages.rotated(upright, VIPS_ANGLE_D270)
        case 7: return try TestImages.flipped(TestImages.rotated(upright, VIPS_ANGLE_D270), VIPS_DIRECTION_HORIZONTAL)
        case 8: return try TestImages.rotated(upright, VIPS_ANGLE_D90)
        default: return upright
        }
    }

    @Test("EXIF orientations 1-8 all come out upright", arguments: 1...8)
    func orientation(_ orientation: Int) async throws {
        let stored = try Self.stored(Self.upright(), orientation: orientation)
        let source = try TestImages.jpeg(TestImages.setting(stored, "orientation", orientation), quality: 95)
        let probe = try await engine.probe(source)
        #expect(probe.orientation == orientation)
        #expect(probe.width == 80 && probe.height == 40)
        let result = try await engine.process(source, recipe: Recipe(sizes: [.init(name: "o", width: 80, height: 80)], formats: [.png]))
        let output = try TestImages.decode(result.renditions[0].data)
        #expect(output.width == 80 && output.height == 40)
        let topLeft = try TestImages.pixel(output, x: 5, y: 4)
        let bottomRight = try TestImages.pixel(output, x: 74, y: 35)
        #expect(topLeft[0] > 200 && topLeft[2] < 60, "top-left should be red, got \(topLeft)")
        #expect(bottomRight[2] > 200 && bottomRight[0] < 60, "bottom-right should be blue, got \(bottomRight)")
    }

    @Test("metadata is stripped; the ICC profile is kept only when asked")
    func metadataStripped() async throws {
        let tagged = try TestImages.withICCProfile(TestImages.setting(TestImages.synthetic(width: 300, height: 200), "orientation", 1))
        let source = try TestImages.jpeg(tagged)
        let before = try TestImages.decode(source)
        #expect(before.has("icc-profile-data") && before.has("exif-data"))
        let size = Recipe.Size(name: "s", width: 150, height: 150)
        // AVIF keeping its ICC profile also carries a rebuilt minimal EXIF block: see docs/imaging.md.
        for format in [OutputFormat.jpeg, .webp, .png, .avif] {
            let stripped = try await engine.process(source, recipe: Recipe(sizes: [size], formats: [format]))
            let plain = try TestImages.decode(stripped.renditions[0].data)
            #expect(!plain.has("exif-data") && !plain.has("xmp-data") && !plain.has("icc-profile-data"), "\(format)")
            let kept = try await engine.process(source, recipe: Recipe(sizes: [size], formats: [format], keepICCProfile: true))
            let withProfile = try TestImages.decode(kept.renditions[0].data)
            #expect(withProfile.has("icc-profile-data"), "\(format)")
            #expect(format == .avif || !withProfile.has("exif-data"), "\(format)")
        }
    }

    @Test("a CMYK JPEG comes out as 8-bit sRGB")
    func cmykToSRGB() async throws {
        let source = try TestImages.cmykJPEG(width: 200, height: 150)
        let probe = try await engine.probe(source)
        #expect(probe.bands == 4)
        let result = try await engine.process(source, recipe: Recipe(sizes: [.init(name: "s", width: 100, height: 100)], formats: [.png]))
        let output = try TestImages.decode(result.renditions[0].data)
        #expect(output.bands == 3)
        #expect(output.interpretation == VIPS_INTERPRETATION_sRGB && output.bandFormat == VIPS_FORMAT_UCHAR)
    }

    @Test("an ICC-tagged Display P3 image is converted to sRGB values")
    func iccToSRGB() async throws {
        let red = try TestImages.solid(width: 120, height: 80, [255, 0, 0])
        let source = try TestImages.png(TestImages.withICCProfile(red, "p3"))
        let stored = try TestImages.pixel(TestImages.decode(source), x: 10, y: 10)
        #expect(stored[0] < 245 && stored[1] > 30, "P3 encoding of sRGB red, got \(stored)")
        let result = try await engine.process(source, recipe: Recipe(sizes: [.init(name: "s", width: 60, height: 60)], formats: [.png]))
        let output = try TestImages.pixel(TestImages.decode(result.renditions[0].data), x: 10, y: 10)
        #expect(output[0] > 245 && output[1] < 12 && output[2] < 12, "expected sRGB red, got \(output)")
    }

    @Test("a 16-bit PNG comes out as 8-bit sRGB")
    func sixteenBitToEight() async throws {
        let source = try TestImages.png16(TestImages.synthetic(width: 200, height: 150))
        let input = try TestImages.decode(source)
        #expect(input.bandFormat == VIPS_FORMAT_USHORT)
        let result = try await engine.process(source, recipe: Recipe(sizes: [.init(name: "s", width: 100, height: 100)], formats: [.png]))
        let output = try TestImages.decode(result.renditions[0].data)
        #expect(output.bands == 3)
        #expect(output.interpretation == VIPS_INTERPRETATION_sRGB && output.bandFormat == VIPS_FORMAT_UCHAR)
    }

    @Test("alpha is flattened onto white for JPEG and kept for WebP")
    func alphaHandling() async throws {
        let image = try TestImages.solid(width: 100, height: 100, [255, 0, 0, 0])
        TestImages.fill(image, [0, 0, 255, 255], x: 50, y: 0, width: 50, height: 100)
        let source = try TestImages.png(image)
        let result = try await engine.process(source, recipe: Recipe(sizes: [.init(name: "s", width: 100, height: 100)], formats: [.jpeg, .webp]))
        #expect(result.analysis.hasAlpha)
        let jpeg = try TestImages.decode(result.renditions[0].data)
        #expect(jpeg.bands == 3)
        let transparent = try TestImages.pixel(jpeg, x: 10, y: 50)
        #expect(transparent.allSatisfy { $0 > 240 }, "transparent area should be white, got \(transparent)")
        let webp = try TestImages.decode(result.renditions[1].data)
        #expect(webp.bands == 4 && webp.hasAlpha)
        #expect(try TestImages.pixel(webp, x: 10, y: 50)[3] < 16)
        #expect(try TestImages.pixel(webp, x: 90, y: 50)[3] > 240)
    }

    @Test("a text watermark changes its corner and leaves the opposite corner alone")
    func textWatermark() async throws {
        let source = try TestImages.png(TestImages.solid(width: 400, height: 300, [40, 90, 160]))
        let size = Recipe.Size(name: "s", width: 400, height: 300)
        let plain = try await engine.process(source, recipe: Recipe(sizes: [size], formats: [.png]))
        let mark = Recipe.Watermark(content: .text("PixelPipe"), position: .bottomRight, opacity: 0.9, margin: 10, scale: 0.4)
        let marked = try await engine.process(source, recipe: Recipe(sizes: [size], formats: [.png], watermark: mark))
        let a = try TestImages.decode(plain.renditions[0].data)
        let b = try TestImages.decode(marked.renditions[0].data)
        #expect(try TestImages.meanDifference(a, b, x: 230, y: 220, width: 160, height: 70) > 5)
        #expect(try TestImages.meanDifference(a, b, x: 0, y: 0, width: 160, height: 70) == 0)
    }

    @Test("an image watermark is drawn at its position")
    func imageWatermark() async throws {
        let source = try TestImages.png(TestImages.solid(width: 400, height: 300, [40, 90, 160]))
        let logo = try TestImages.png(TestImages.solid(width: 50, height: 50, [255, 255, 0, 255]))
        let size = Recipe.Size(name: "s", width: 400, height: 300)
        let mark = Recipe.Watermark(content: .image(logo), position: .topLeft, opacity: 1, margin: 0, scale: 0.25)
        let marked = try await engine.process(source, recipe: Recipe(sizes: [size], formats: [.png], watermark: mark))
        let output = try TestImages.decode(marked.renditions[0].data)
        #expect(try TestImages.pixel(output, x: 20, y: 20) == [255, 255, 0])
        #expect(try TestImages.pixel(output, x: 300, y: 250) == [40, 90, 160])
    }

    @Test("filters change the output: grayscale has equal channels, blur softens edges")
    func filters() async throws {
        let source = try TestImages.png(TestImages.blocks(width: 200, height: 200))
        let size = Recipe.Size(name: "s", width: 200, height: 200)
        let grey = try await engine.process(source, recipe: Recipe(sizes: [size], formats: [.png], filters: .init(grayscale: true)))
        let pixel = try TestImages.pixel(TestImages.decode(grey.renditions[0].data), x: 100, y: 100)
        #expect(Set(pixel.prefix(3)).count == 1 || pixel.count == 1)
        let sharp = try await engine.process(source, recipe: Recipe(sizes: [size], formats: [.png]))
        let blurred = try await engine.process(source, recipe: Recipe(sizes: [size], formats: [.png], filters: .init(blur: 4, sharpen: true)))
        let a = try TestImages.decode(sharp.renditions[0].data)
        let b = try TestImages.decode(blurred.renditions[0].data)
        #expect(try TestImages.meanDifference(a, b, x: 90, y: 0, width: 20, height: 60) > 2)
    }

    @Test("an animated GIF gives its first frame, or is rejected, per configuration")
    func animatedGIF() async throws {
        let gif = try TestImages.animatedGIF(width: 40, height: 30, frames: 3)
        let probe = try await engine.probe(gif)
        #expect(probe.frames == 3 && probe.width == 40 && probe.height == 30)
        let result = try await engine.process(gif, recipe: Recipe(sizes: [.init(name: "s", width: 40, height: 40)], formats: [.png]))
        #expect(result.renditions[0].width == 40 && result.renditions[0].height == 30)
        let rejecting = try ImagingEngine(configuration: ImagingConfiguration(animation: .reject, workerThreads: 1))
        await #expect(throws: ImagingError.animated) {
            try await rejecting.process(gif, recipe: .default)
        }
        let fewFrames = try ImagingEngine(configuration: ImagingConfiguration(maxFrames: 2, workerThreads: 1))
        await #expect(throws: ImagingError.tooManyFrames) {
            try await fewFrames.probe(gif)
        }
    }

    @Test("the default recipe makes 3 sizes x 2 formats from one call")
    func defaultRecipe() async throws {
        let source = try TestImages.jpeg(TestImages.synthetic(width: 2000, height: 1500))
        let result = try await engine.process(source, recipe: .default)
        #expect(result.renditions.map { "\($0.size).\($0.format.fileExtension)" } == [
            "large.webp", "large.jpg", "medium.webp", "medium.jpg", "thumb.webp", "thumb.jpg",
        ])
        #expect(result.renditions.map(\.width) == [1600, 1600, 800, 800, 200, 200])
        #expect(result.renditions.map(\.height) == [1200, 1200, 600, 600, 200, 200])
    }

    @Test("the single-size thumbnail call is 800 wide and a JPEG")
    func thumbnail() async throws {
        let source = try TestImages.jpeg(TestImages.synthetic(width: 1600, height: 1200))
        let output = try await engine.thumbnail(source, width: 800)
        #expect(output.width == 800 && output.height == 600)
        #expect(try TestImages.loader(of: output.data).hasPrefix("jpegload"))
    }
}
