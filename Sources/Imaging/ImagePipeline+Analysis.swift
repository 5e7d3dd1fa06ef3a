import CVipsShims
import PipelineModel

extension ImagePipeline {
    /// Width, height, format, alpha, dominant colour and perceptual hash of a decoded image.
    func analyse(_ image: VipsImageRef, probe: ImageProbe) throws(ImagingError) -> ImageAnalysis {
        ImageAnalysis(
            width: probe.width,
            height: probe.height,
            format: probe.format,
            hasAlpha: image.hasAlpha,
            dominantColor: try Self.dominantColor(of: image),
            perceptualHash: try Self.perceptualHash(of: image)
        )
    }

    /// The most common colour at 4 bits per channel, reported as the mean of its pixels;
    /// computed on a 64-pixel sample, ignoring mostly transparent pixels.
    static func dominantColor(of image: VipsImageRef) throws(ImagingError) -> String {
        let sample = try image.map {
            pp_vips_thumbnail_image($0, $1, 64, 64, Int32(VIPS_INTERESTING_NONE.rawValue), Int32(VIPS_SIZE_DOWN.rawValue))
        }
        let bands = sample.bands
        let pixels = try sample.pixels()
        var counts = [Int](repeating: 0, count: 4096)
        var sums = [(Int, Int, Int)](repeating: (0, 0, 0), count: 4096)
        var index = 0
        while index + bands <= pixels.count {
            defer { index += bands }
            let r: Int, g: Int, b: Int
            if bands >= 3 {
                r = Int(pixels[index]); g = Int(pixels[index + 1]); b = Int(pixels[index + 2])
                if bands == 4, pixels[index + 3] < 128 { continue }
            } else {
                r = Int(pixels[index]); g = r; b = r
                if bands == 2, pixels[index + 1] < 128 { continue }
            }
            let bin = (r >> 4) << 8 | (g >> 4) << 4 | b >> 4
            counts[bin] += 1
            sums[bin].0 += r; sums[bin].1 += g; sums[bin].2 += b
        }
        guard let best = counts.indices.max(by: { counts[$0] < counts[$1] }), counts[best] > 0 else { return "#000000" }
        let n = counts[best]
        return "#" + [sums[best].0 / n, sums[best].1 / n, sums[best].2 / n]
            .map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// pHash of the image flattened onto white, squashed to 32x32 grey.
    static func perceptualHash(of image: VipsImageRef) throws(ImagingError) -> PerceptualHash {
        var grey = image
        if grey.hasAlpha { grey = try grey.map { pp_vips_flatten($0, $1, 255, 255, 255) } }
        let side = Int32(PerceptualHash.sampleSide)
        grey = try grey.map {
            pp_vips_thumbnail_image($0, $1, side, side, Int32(VIPS_INTERESTING_NONE.rawValue), Int32(VIPS_SIZE_FORCE.rawValue))
        }
        grey = try grey.map { pp_vips_colourspace($0, $1, Int32(VIPS_INTERPRETATION_B_W.rawValue)) }
        if grey.bands > 1 { grey = try grey.map { pp_vips_extract_bands($0, $1, 0, 1) } }
        grey = try grey.map { pp_vips_cast($0, $1, Int32(VIPS_FORMAT_UCHAR.rawValue)) }
        let pixels = try grey.pixels()
        guard pixels.count == PerceptualHash.sampleSide * PerceptualHash.sampleSide else {
            throw ImagingError.processingFailed.with(detail: "hash sample has \(pixels.count) bytes")
        }
        return PerceptualHash(grey: pixels)
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
