import CVipsShims
import Foundation
import PipelineModel

/// The synchronous libvips work for one image, run on a worker thread. Decoding happens once,
/// with shrink-on-load to the smallest size that still serves every output; each output size
/// is then derived from that decoded image in memory.
struct ImagePipeline {
    let configuration: ImagingConfiguration

    /// Loader options: a truncated or corrupt file is an error, not a grey-filled image.
    static let loaderOptions = "[fail_on=truncated]"
    /// Box side meaning "unbounded" for libvips' thumbnail.
    static let unbounded = Int(VIPS_MAX_COORD)

    /// Every rendition of `recipe`, plus the analysis.
    func process(_ bytes: UnsafeRawBufferPointer, recipe: Recipe) throws(ImagingError) -> ProcessedImage {
        // Each step's time, summed by name in first-seen order (the pipeline's metrics and the
        // job waterfall read them); a clock read costs nanoseconds against milliseconds of work.
        var steps = StepClock()
        let probe = try ImageProbe.read(bytes, limits: configuration)
        let boxes = recipe.sizes.map { Self.box(for: $0, sourceWidth: probe.width, sourceHeight: probe.height) }
        let scale = Self.decodeScale(for: zip(recipe.sizes, boxes).map { ($0.fit, $1) }, width: probe.width, height: probe.height)
        let decoded = try decode(
            bytes, probe: probe,
            width: max(1, Int((Double(probe.width) * scale).rounded(.up))),
            height: max(1, Int((Double(probe.height) * scale).rounded(.up)))
        ).materialized()
        steps.lap("decode")
        let analysis = try analyse(decoded, probe: probe)
        steps.lap("analyse")
        var renditions: [Rendition] = []
        renditions.reserveCapacity(recipe.sizes.count * recipe.formats.count)
        for (size, box) in zip(recipe.sizes, boxes) {
            var image = try resize(decoded, to: size, box: box)
            image = try applyFilters(recipe.filters, to: image)
            if let watermark = recipe.watermark {
                image = try apply(watermark, to: image)
            }
            // Encoders pull pixels through the pipeline; several formats would each re-run the
            // resize, so render once when there is more than one.
            if recipe.formats.count > 1 { image = try image.materialized() }
            steps.lap("resize")
            for format in recipe.formats {
                let data = try encode(image, as: format, quality: recipe.quality, progressive: recipe.progressive, keepICCProfile: recipe.keepICCProfile)
                renditions.append(Rendition(size: size.name, format: format, width: image.width, height: image.height, data: data))
                steps.lap("encode_\(format.rawValue)")
            }
        }
        return ProcessedImage(renditions: renditions, analysis: analysis, steps: steps.steps)
    }

    /// One output `width` pixels wide (never enlarged), decoded with shrink-on-load.
    func thumbnail(_ bytes: UnsafeRawBufferPointer, width: Int, format: OutputFormat, quality: Int) throws(ImagingError) -> Rendition {
        let probe = try ImageProbe.read(bytes, limits: configuration)
        // Rendered to memory before encoding, so a corrupt input is reported as undecodable
        // rather than as an encoder failure; the copy is of the small output only.
        let image = try decode(bytes, probe: probe, width: width, height: Self.unbounded).materialized()
        let data = try encode(image, as: format, quality: quality, progressive: false, keepICCProfile: false)
        return Rendition(size: "\(width)w", format: format, width: image.width, height: image.height, data: data)
    }

    /// The analysis alone, from a decode shrunk to at most 512 pixels.
    func analyse(_ bytes: UnsafeRawBufferPointer) throws(ImagingError) -> ImageAnalysis {
        let probe = try ImageProbe.read(bytes, limits: configuration)
        let decoded = try decode(bytes, probe: probe, width: 512, height: 512).materialized()
        return try analyse(decoded, probe: probe)
    }

    /// The box `size` renders into from a source of `sourceWidth` x `sourceHeight` (oriented).
    /// An open side is bounded by `Recipe.maxDimension`, the box the output budget counts.
    /// Without `enlarge`, a `cover` or `fill` box larger than the source on either side is
    /// scaled down, keeping its aspect ratio, until it fits within the source: the output keeps
    /// the shape asked for at the most detail the source has, and invents no pixels (`inside`
    /// needs no such change: its box is fitted with libvips' `size=down`).
    static func box(for size: Recipe.Size, sourceWidth: Int, sourceHeight: Int) -> (width: Int, height: Int) {
        let (width, height) = size.box
        guard size.fit != .inside, !size.enlarge else { return (width, height) }
        let fit = min(1, Double(sourceWidth) / Double(width), Double(sourceHeight) / Double(height))
        guard fit < 1 else { return (width, height) }
        return (max(1, Int((Double(width) * fit).rounded())), max(1, Int((Double(height) * fit).rounded())))
    }

    /// The fraction of the (oriented) original that the largest output needs, at most 1:
    /// decoding at that scale lets JPEG and WebP shrink while loading.
    static func decodeScale(for boxes: [(fit: Recipe.Fit, box: (width: Int, height: Int))], width: Int, height: Int) -> Double {
        var needed = 0.0
        for (fit, box) in boxes {
            let sx = Double(box.width) / Double(width), sy = Double(box.height) / Double(height)
            switch fit {
            case .inside: needed = max(needed, min(sx, sy, 1))
            case .cover, .fill: needed = max(needed, sx, sy)
            }
        }
        return min(max(needed, Double.leastNonzeroMagnitude), 1)
    }

    /// Decodes to fit within `width` x `height` (shrink-on-load, never enlarging), upright,
    /// as 8-bit sRGB with alpha if the input had it.
    func decode(_ bytes: UnsafeRawBufferPointer, probe: ImageProbe, width: Int, height: Int) throws(ImagingError) -> VipsImageRef {
        let image = try VipsImageRef.make(.undecodable) { out in
            pp_vips_thumbnail_buffer(
                bytes.baseAddress, bytes.count, out, Int32(clamping: width), Int32(clamping: height),
                Int32(VIPS_INTERESTING_NONE.rawValue), Int32(VIPS_SIZE_DOWN.rawValue), 0,
                Self.loaderOptions, probe.hasICCProfile ? "srgb" : nil
            )
        }
        return try Self.normalize(image)
    }

    /// Converts CMYK, grey, 16-bit and other spaces to 8-bit sRGB.
    static func normalize(_ input: VipsImageRef) throws(ImagingError) -> VipsImageRef {
        var image = input
        if image.interpretation == VIPS_INTERPRETATION_CMYK {
            image = try image.map { pp_vips_icc_transform($0, $1, "srgb", "cmyk") }
        }
        if image.interpretation != VIPS_INTERPRETATION_sRGB {
            image = try image.map { pp_vips_colourspace($0, $1, Int32(VIPS_INTERPRETATION_sRGB.rawValue)) }
        }
        if image.bandFormat != VIPS_FORMAT_UCHAR {
            image = try image.map { pp_vips_cast($0, $1, Int32(VIPS_FORMAT_UCHAR.rawValue)) }
        }
        return image
    }

    /// The decoded image fitted to one recipe size's `box` (see `box(for:sourceWidth:sourceHeight:)`).
    /// `cover` and `fill` may scale the decoded image up: it is the source shrunk on load, and
    /// the box is within the source unless the size says `enlarge`.
    func resize(_ image: VipsImageRef, to size: Recipe.Size, box: (width: Int, height: Int)) throws(ImagingError) -> VipsImageRef {
        let crop: VipsInteresting
        let mode: VipsSize
        switch size.fit {
        case .inside:
            crop = VIPS_INTERESTING_NONE
            mode = size.enlarge ? VIPS_SIZE_BOTH : VIPS_SIZE_DOWN
        case .cover:
            crop = size.crop == .attention ? VIPS_INTERESTING_ATTENTION : VIPS_INTERESTING_CENTRE
            mode = VIPS_SIZE_BOTH
        case .fill:
            crop = VIPS_INTERESTING_NONE
            mode = VIPS_SIZE_FORCE
        }
        return try image.map {
            pp_vips_thumbnail_image($0, $1, Int32(clamping: box.width), Int32(clamping: box.height), Int32(crop.rawValue), Int32(mode.rawValue))
        }
    }

    /// Grayscale, then blur, then sharpen.
    func applyFilters(_ filters: Recipe.Filters, to input: VipsImageRef) throws(ImagingError) -> VipsImageRef {
        var image = input
        if filters.grayscale {
            image = try image.map { pp_vips_colourspace($0, $1, Int32(VIPS_INTERPRETATION_B_W.rawValue)) }
        }
        if let sigma = filters.blur {
            image = try image.map { pp_vips_gaussblur($0, $1, sigma) }
            image = try image.map { pp_vips_cast($0, $1, Int32(VIPS_FORMAT_UCHAR.rawValue)) }
        }
        if filters.sharpen {
            // vips_sharpen works in LabS and returns the input's space, possibly 16-bit.
            image = try image.map { pp_vips_sharpen($0, $1) }
            if image.interpretation != VIPS_INTERPRETATION_sRGB, image.interpretation != VIPS_INTERPRETATION_B_W {
                image = try image.map { pp_vips_colourspace($0, $1, Int32(VIPS_INTERPRETATION_sRGB.rawValue)) }
            }
            if image.bandFormat != VIPS_FORMAT_UCHAR {
                image = try image.map { pp_vips_cast($0, $1, Int32(VIPS_FORMAT_UCHAR.rawValue)) }
            }
        }
        return image
    }
}
