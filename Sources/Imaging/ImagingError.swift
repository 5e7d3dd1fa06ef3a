import PixelPipeCore
/// Why an image could not be probed, decoded, processed or encoded. Cases are static members
/// over a private code so new ones can be added without breaking callers; `description` starts
/// with a stable code that is safe as a metrics label, followed by libvips' own message.
public struct ImagingError: Error, Sendable, Equatable, CustomStringConvertible, RetryClassifiedError {
    private enum Code: String, Sendable {
        case emptyInput, unsupportedFormat, undecodable, tooManyPixels, tooManyFrames
        case animated, invalidRecipe, processingFailed, encodingFailed, libraryUnavailable, cancelled
    }

    private let code: Code
    /// Detail from libvips or the check that failed (not part of equality).
    public let detail: String

    private init(_ code: Code, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }

    /// The input has no bytes.
    public static let emptyInput = ImagingError(.emptyInput)
    /// No allowed loader recognises the bytes (HTML, SVG, PDF and other blocked formats land here).
    public static let unsupportedFormat = ImagingError(.unsupportedFormat)
    /// The header was readable but the pixels are corrupt or truncated.
    public static let undecodable = ImagingError(.undecodable)
    /// The header declares more pixels than the configured maximum.
    public static let tooManyPixels = ImagingError(.tooManyPixels)
    /// The file has more frames (pages) than the configured maximum.
    public static let tooManyFrames = ImagingError(.tooManyFrames)
    /// The image is animated and the configuration rejects animations.
    public static let animated = ImagingError(.animated)
    /// The recipe asks for something that cannot be applied to this image (e.g. a bad watermark image).
    public static let invalidRecipe = ImagingError(.invalidRecipe)
    /// A libvips operation failed while resizing, converting or compositing.
    public static let processingFailed = ImagingError(.processingFailed)
    /// An encoder failed.
    public static let encodingFailed = ImagingError(.encodingFailed)
    /// libvips could not be initialised.
    public static let libraryUnavailable = ImagingError(.libraryUnavailable)
    /// The calling task was cancelled before the work started.
    public static let cancelled = ImagingError(.cancelled)

    public static func == (lhs: ImagingError, rhs: ImagingError) -> Bool { lhs.code == rhs.code }

    /// Whether the same input may succeed later: only when the failure was not the image's fault.
    public var isTransient: Bool {
        switch code {
        case .libraryUnavailable, .cancelled: return true
        case .emptyInput, .unsupportedFormat, .undecodable, .tooManyPixels, .tooManyFrames, .animated,
             .invalidRecipe, .processingFailed, .encodingFailed:
            return false
        }
    }

    /// A stable, low-cardinality name for the failure, e.g. `tooManyPixels`.
    public var label: String { code.rawValue }

    public var description: String {
        detail.isEmpty ? code.rawValue : "\(code.rawValue): \(detail)"
    }

    func with(detail: String) -> ImagingError { ImagingError(code, detail) }
}
