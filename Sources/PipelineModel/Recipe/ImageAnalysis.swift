/// Facts about an image stored with its item, so duplicates within a job can be flagged.
public struct ImageAnalysis: Sendable, Equatable, Codable {
    /// Width as displayed (after EXIF orientation).
    public var width: Int
    /// Height as displayed.
    public var height: Int
    /// Input format.
    public var format: ImageFormat
    /// Whether the input has an alpha channel.
    public var hasAlpha: Bool
    /// The most common colour, as `#rrggbb` (transparent pixels ignored).
    public var dominantColor: String
    /// 64-bit perceptual hash.
    public var perceptualHash: PerceptualHash

    /// An analysis; the engine produces these.
    public init(width: Int, height: Int, format: ImageFormat, hasAlpha: Bool, dominantColor: String, perceptualHash: PerceptualHash) {
        self.width = width
        self.height = height
        self.format = format
        self.hasAlpha = hasAlpha
        self.dominantColor = dominantColor
        self.perceptualHash = perceptualHash
    }
}
