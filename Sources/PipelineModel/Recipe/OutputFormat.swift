/// An encoding a recipe can ask for.
public enum OutputFormat: String, Sendable, Codable, CaseIterable {
    /// Baseline or progressive JPEG.
    case jpeg
    /// Lossy WebP (alpha kept).
    case webp
    /// AVIF: HEIF with AV1, 8 bits (alpha kept).
    case avif
    /// Lossless PNG (alpha kept).
    case png

    /// The usual file extension.
    public var fileExtension: String {
        switch self {
        case .jpeg: return "jpg"
        case .webp: return "webp"
        case .avif: return "avif"
        case .png: return "png"
        }
    }

    /// The MIME type to store the object with.
    public var contentType: String {
        switch self {
        case .jpeg: return "image/jpeg"
        case .webp: return "image/webp"
        case .avif: return "image/avif"
        case .png: return "image/png"
        }
    }

    /// Whether the encoding can carry an alpha channel (JPEG cannot; alpha is flattened onto white).
    public var supportsAlpha: Bool { self != .jpeg }
}
