/// An input format the engine accepts. Anything else, including formats libvips could read
/// but that are blocked for untrusted input (SVG, PDF, …), is `ImagingError.unsupportedFormat`.
public enum ImageFormat: String, Sendable, Codable, CaseIterable {
    /// JPEG (baseline or progressive, RGB, grey or CMYK).
    case jpeg
    /// PNG, 8 or 16 bits.
    case png
    /// WebP, still or animated.
    case webp
    /// GIF, still or animated.
    case gif
    /// HEIF container: AVIF or HEIC.
    case heif
    /// TIFF.
    case tiff

    /// The format of a libvips loader nickname such as `jpegload_buffer`, if accepted.
    package init?(loader: String) {
        let name = loader.split(separator: "_").first.map(String.init) ?? loader
        switch name {
        case "jpegload": self = .jpeg
        case "pngload": self = .png
        case "webpload": self = .webp
        case "gifload": self = .gif
        case "heifload": self = .heif
        case "tiffload": self = .tiff
        default: return nil
        }
    }
}
