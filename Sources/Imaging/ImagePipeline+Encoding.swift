import CVipsShims
import Foundation
import PipelineModel

extension ImagePipeline {
    /// Encodes with metadata stripped (the ICC profile kept only if asked); JPEG flattens
    /// alpha onto white. Encoder effort is chosen for throughput.
    func encode(_ input: VipsImageRef, as format: OutputFormat, quality: Int, progressive: Bool, keepICCProfile: Bool) throws(ImagingError) -> Data {
        var image = input
        if !format.supportsAlpha, image.hasAlpha {
            image = try image.map { pp_vips_flatten($0, $1, 255, 255, 255) }
            image = try image.map { pp_vips_cast($0, $1, Int32(VIPS_FORMAT_UCHAR.rawValue)) }
        }
        if format == .avif, image.bands < 3 {
            image = try image.map { pp_vips_colourspace($0, $1, Int32(VIPS_INTERPRETATION_sRGB.rawValue)) }
        }
        // libvips 8.14's `strip` drops the ICC profile too, and its WebP saver writes EXIF and
        // ICC even when asked to strip; so metadata is removed from the image itself, `strip`
        // is passed unless the profile is to be kept, and what the savers add regardless is
        // scrubbed from the encoded bytes.
        let strip: Int32 = keepICCProfile ? 0 : 1
        image = try image.map { pp_vips_remove_metadata($0, $1, keepICCProfile ? 1 : 0) }
        let q = Int32(clamping: quality)
        let bytes: Data
        switch format {
        case .jpeg:
            bytes = try image.save { pp_vips_jpegsave_buffer($0, $1, $2, q, progressive ? 1 : 0, strip) }
        case .webp:
            let effort = Int32(clamping: configuration.webpEffort)
            bytes = try image.save { pp_vips_webpsave_buffer($0, $1, $2, q, effort, strip) }
        case .avif:
            let effort = Int32(clamping: configuration.avifEffort)
            bytes = try image.save { pp_vips_heifsave_buffer($0, $1, $2, q, effort, strip) }
        case .png:
            let compression = Int32(clamping: configuration.pngCompression)
            bytes = try image.save { pp_vips_pngsave_buffer($0, $1, $2, compression, strip) }
        }
        return MetadataScrubber.scrub(bytes, format: format, keepICCProfile: keepICCProfile)
    }
}
