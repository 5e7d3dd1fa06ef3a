import CVipsShims
import Foundation
import Imaging
@testable import Imaging

/// Small images generated with libvips itself, so no binary fixtures live in git.
enum TestImages {
    private static let ready: Void = { _ = try? VipsLibrary.configure(concurrency: 1) }()

    /// A gradient with noise: photo-like enough for encoders and hashes.
    static func synthetic(width: Int, height: Int, noise: Double = 8, seed: Int = 1) throws -> VipsImageRef {
        _ = ready
        return try VipsImageRef.make(.processingFailed) { pp_vips_synthetic($0, Int32(width), Int32(height), noise, Int32(seed)) }
    }

    /// A solid image in memory (3 or 4 bands), ready to draw on.
    static func solid(width: Int, height: Int, _ ink: [Double]) throws -> VipsImageRef {
        _ = ready
        return try VipsImageRef.make(.processingFailed) { pp_vips_solid($0, Int32(width), Int32(height), Int32(ink.count), ink) }
    }

    /// Fills a rectangle in place.
    static func fill(_ image: VipsImageRef, _ ink: [Double], x: Int, y: Int, width: Int, height: Int) {
        _ = pp_vips_draw_rect(image.pointer, ink, Int32(ink.count), Int32(x), Int32(y), Int32(width), Int32(height))
    }

    /// A blocky pattern unlike the gradients, for "different image" checks.
    static func blocks(width: Int, height: Int) throws -> VipsImageRef {
        let image = try solid(width: width, height: height, [240, 240, 240])
        fill(image, [20, 20, 20], x: 0, y: 0, width: width / 2, height: height / 2)
        fill(image, [20, 20, 20], x: width / 2, y: height / 2, width: width / 2, height: height / 2)
        fill(image, [200, 30, 30], x: width / 3, y: height / 3, width: width / 3, height: height / 3)
        return image
    }

    /// A noisy gradient with a few coloured shapes: structure for the perceptual hash to see.
    static func scene(width: Int, height: Int, seed: Int = 1) throws -> VipsImageRef {
        let image = try synthetic(width: width, height: height, noise: 10, seed: seed).materialized()
        var state = UInt64(seed) &* 6364136223846793005 &+ 1442695040888963407
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        for _ in 0..<6 {
            let w = width / 6 + next(width / 4), h = height / 6 + next(height / 4)
            fill(image, [Double(next(256)), Double(next(256)), Double(next(256))], x: next(width - w), y: next(height - h), width: w, height: h)
        }
        return image
    }

    static func jpeg(_ image: VipsImageRef, quality: Int = 90) throws -> Data {
        try image.save { pp_vips_jpegsave_buffer($0, $1, $2, Int32(quality), 0, 0) }
    }

    static func png(_ image: VipsImageRef) throws -> Data {
        try image.save { pp_vips_pngsave_buffer($0, $1, $2, 6, 0) }
    }

    static func png16(_ image: VipsImageRef) throws -> Data {
        let wide = try image.map { pp_vips_colourspace($0, $1, Int32(VIPS_INTERPRETATION_RGB16.rawValue)) }
        return try wide.save { pp_vips_pngsave16_buffer($0, $1, $2) }
    }

    static func webp(_ image: VipsImageRef) throws -> Data {
        try image.save { pp_vips_webpsave_buffer($0, $1, $2, 80, 2, 0) }
    }

    /// A CMYK JPEG (Adobe-style four-channel) converted with libvips' built-in CMYK profile.
    static func cmykJPEG(width: Int, height: Int) throws -> Data {
        let cmyk = try synthetic(width: width, height: height).map { pp_vips_colourspace($0, $1, Int32(VIPS_INTERPRETATION_CMYK.rawValue)) }
        return try jpeg(cmyk)
    }

    /// The image transformed into `profile` (a built-in such as `srgb` or `p3`), which is embedded.
    static func withICCProfile(_ image: VipsImageRef, _ profile: String = "srgb") throws -> VipsImageRef {
        try image.map { pp_vips_icc_transform($0, $1, profile, "srgb") }
    }

    /// Sets a header integer, e.g. `orientation`, which jpegsave writes into EXIF.
    static func setting(_ image: VipsImageRef, _ name: String, _ value: Int) throws -> VipsImageRef {
        try image.map { pp_vips_set_int($0, $1, name, Int32(value)) }
    }

    static func rotated(_ image: VipsImageRef, _ angle: VipsAngle) throws -> VipsImageRef {
        try image.map { pp_vips_rot($0, $1, Int32(angle.rawValue)) }
    }

    static func flipped(_ image: VipsImageRef, _ direction: VipsDirection) throws -> VipsImageRef {
        try image.map { pp_vips_flip($0, $1, Int32(direction.rawValue)) }
    }

    /// A GIF of `frames` frames, each a different colour.
    static func animatedGIF(width: Int, height: Int, frames: Int) throws -> Data {
        let strip = try solid(width: width, height: height * frames, [255, 255, 255])
        for frame in 0..<frames {
            fill(strip, [Double(frame * 80 % 256), 100, 200], x: 0, y: frame * height, width: width, height: height)
        }
        return try strip.save { pp_vips_gifsave_buffer($0, $1, $2, Int32(height)) }
    }

    /// Fully decodes any encoded image.
    static func decode(_ data: Data) throws -> VipsImageRef {
        _ = ready
        return try data.withUnsafeBytes { raw in
            try VipsImageRef.make(.undecodable) { pp_vips_decode_buffer(raw.baseAddress, raw.count, $0) }
        }
    }

    /// The loader libvips picks for encoded bytes, e.g. `jpegload_buffer`.
    static func loader(of data: Data) throws -> String {
        let image = try decode(data)
        return pp_vips_image_get_loader(image.pointer).map { String(cString: $0) } ?? ""
    }

    /// One pixel's band values.
    static func pixel(_ image: VipsImageRef, x: Int, y: Int) throws -> [UInt8] {
        let area = try image.map { pp_vips_extract_area($0, $1, Int32(x), Int32(y), 1, 1) }
        return try area.pixels()
    }

    /// Mean absolute difference of two same-sized 8-bit images over a rectangle.
    static func meanDifference(_ a: VipsImageRef, _ b: VipsImageRef, x: Int, y: Int, width: Int, height: Int) throws -> Double {
        let pa = try a.map { pp_vips_extract_area($0, $1, Int32(x), Int32(y), Int32(width), Int32(height)) }.pixels()
        let pb = try b.map { pp_vips_extract_area($0, $1, Int32(x), Int32(y), Int32(width), Int32(height)) }.pixels()
        guard pa.count == pb.count, !pa.isEmpty else { return .infinity }
        return Double(zip(pa, pb).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(pa.count)
    }

    /// Resident set size of this process, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
