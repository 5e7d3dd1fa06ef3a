import CVipsShims
import Foundation
import PipelineModel

/// What an image's header says, read without decoding any pixel.
public struct ImageProbe: Sendable, Equatable {
    /// The container format.
    public var format: ImageFormat
    /// Width as displayed, i.e. after applying the EXIF orientation.
    public var width: Int
    /// Height of one frame as displayed, after applying the EXIF orientation.
    public var height: Int
    /// Bands (channels) including alpha.
    public var bands: Int
    /// EXIF orientation, 1 (upright) to 8.
    public var orientation: Int
    /// Frames (pages) in the file; more than 1 means animated or multi-page.
    public var frames: Int
    /// Whether the image carries an ICC profile.
    public var hasICCProfile: Bool

    /// Pixels a full decode of every frame would produce.
    public var totalPixels: Int {
        let (area, overflow) = width.multipliedReportingOverflow(by: height)
        let (total, overflow2) = area.multipliedReportingOverflow(by: max(1, frames))
        return overflow || overflow2 ? Int.max : total
    }
}

extension ImageProbe {
    /// Reads the header of `bytes` (libvips' lazy loader touches no pixels) and checks it
    /// against the configured limits. Runs on a worker thread; `bytes` must stay alive.
    static func read(_ bytes: UnsafeRawBufferPointer, limits: ImagingConfiguration) throws(ImagingError) -> ImageProbe {
        guard let base = bytes.baseAddress, bytes.count > 0 else { throw .emptyInput }
        guard let header = pp_vips_image_new_from_buffer(base, bytes.count, "") else {
            throw ImagingError.unsupportedFormat.with(detail: VipsLibrary.takeError())
        }
        let image = VipsImageRef(header)
        let loader = pp_vips_image_get_loader(header).map { String(cString: $0) } ?? "unknown"
        guard let format = ImageFormat(loader: loader) else {
            throw ImagingError.unsupportedFormat.with(detail: "loader \(loader) is not allowed")
        }
        let orientation = image.integer("orientation", default: 1)
        let frames = max(1, image.integer("n-pages", default: 1))
        let pageHeight = image.integer("page-height", default: image.height)
        let swapped = (5...8).contains(orientation)
        let probe = ImageProbe(
            format: format,
            width: swapped ? pageHeight : image.width,
            height: swapped ? image.width : pageHeight,
            bands: image.bands,
            orientation: (1...8).contains(orientation) ? orientation : 1,
            frames: frames,
            hasICCProfile: image.has("icc-profile-data")
        )
        guard probe.width > 0, probe.height > 0 else {
            throw ImagingError.undecodable.with(detail: "header declares \(probe.width)x\(probe.height)")
        }
        try probe.check(limits)
        return probe
    }

    /// Rejects frame counts and pixel counts over the limits, and animations if so configured.
    func check(_ limits: ImagingConfiguration) throws(ImagingError) {
        if frames > limits.maxFrames {
            throw ImagingError.tooManyFrames.with(detail: "\(frames) frames, at most \(limits.maxFrames) allowed")
        }
        if frames > 1, format == .gif || format == .webp, limits.animation == .reject {
            throw ImagingError.animated.with(detail: "\(frames) frames")
        }
        if totalPixels > limits.maxPixels {
            throw ImagingError.tooManyPixels.with(detail: "\(width)x\(height)x\(frames) frames exceeds \(limits.maxPixels) pixels")
        }
    }
}
