/// What to make of each image: named sizes, encodings, quality, an optional watermark and
/// filters. Decoded from JSON with every field optional except what validation demands
/// (`sizes` and `formats` fall back to the default recipe's).
public struct Recipe: Sendable, Equatable {
    /// How an image is fitted to a size's box. No fit enlarges the source unless the size sets
    /// `enlarge`; without it, a `cover` or `fill` box larger than the source is first scaled
    /// down, keeping its aspect ratio, until it fits within the source.
    public enum Fit: String, Sendable, Codable, CaseIterable {
        /// Scaled to fit within the box, aspect ratio kept.
        case inside
        /// Scaled to cover the box, aspect ratio kept, and cropped to it exactly.
        case cover
        /// Stretched to the box exactly.
        case fill
    }

    /// Which part of the image `cover` keeps.
    public enum Crop: String, Sendable, Codable, CaseIterable {
        /// The centre.
        case centre
        /// The most interesting region (libvips' attention strategy: edges, skin tones, saturation).
        case attention
    }

    /// One named output size. `inside` needs a width or a height (the other side is open, up to
    /// `Recipe.maxDimension`); `cover` and `fill` need both.
    public struct Size: Sendable, Equatable {
        /// Name used in output object names, e.g. `thumb`.
        public var name: String
        /// Box width in pixels.
        public var width: Int?
        /// Box height in pixels.
        public var height: Int?
        /// How the image is fitted to the box.
        public var fit: Fit
        /// Which part `cover` keeps.
        public var crop: Crop
        /// Whether the output may be larger than the source (upscaled) to meet the box. Off by
        /// default: enlarging invents no detail and costs pixels the output budget counts anyway.
        public var enlarge: Bool

        /// A size called `name` fitting the image to `width` x `height`.
        public init(name: String, width: Int?, height: Int?, fit: Fit = .inside, crop: Crop = .centre, enlarge: Bool = false) {
            self.name = name
            self.width = width
            self.height = height
            self.fit = fit
            self.crop = crop
            self.enlarge = enlarge
        }

        /// The box as pixels: an open side (inside with only a width or a height) is closed at
        /// `Recipe.maxDimension`, so no output of this size is ever larger than the box.
        public var box: (width: Int, height: Int) {
            (width ?? Recipe.maxDimension, height ?? Recipe.maxDimension)
        }
    }

    /// Pixel filters applied to every size after resizing, in the order grayscale, blur, sharpen.
    public struct Filters: Sendable, Equatable {
        /// Convert to grey (output stays 8-bit, one band plus alpha if any).
        public var grayscale: Bool
        /// Gaussian blur of this sigma, in output pixels.
        public var blur: Double?
        /// Unsharp mask tuned for downsized photos.
        public var sharpen: Bool

        /// No filters unless asked.
        public init(grayscale: Bool = false, blur: Double? = nil, sharpen: Bool = false) {
            self.grayscale = grayscale
            self.blur = blur
            self.sharpen = sharpen
        }

        /// Whether any filter applies.
        public var isEmpty: Bool { !grayscale && blur == nil && !sharpen }
    }

    /// Output sizes; every size is encoded in every format.
    public var sizes: [Size]
    /// Output encodings.
    public var formats: [OutputFormat]
    /// Encoder quality, 1 to 100 (PNG is lossless and ignores it).
    public var quality: Int
    /// Progressive (interlaced) JPEG.
    public var progressive: Bool
    /// Keep the (sRGB) ICC profile in outputs; all other metadata is always stripped.
    public var keepICCProfile: Bool
    /// Optional watermark drawn on every size.
    public var watermark: Watermark?
    /// Optional filters.
    public var filters: Filters

    /// A recipe; `validate()` checks it.
    public init(
        sizes: [Size],
        formats: [OutputFormat],
        quality: Int = 50,
        progressive: Bool = false,
        keepICCProfile: Bool = false,
        watermark: Watermark? = nil,
        filters: Filters = Filters()
    ) {
        self.sizes = sizes
        self.formats = formats
        self.quality = quality
        self.progressive = progressive
        self.keepICCProfile = keepICCProfile
        self.watermark = watermark
        self.filters = filters
    }

    /// The built-in default: three sizes, each as WebP and JPEG, quality 50.
    public static let `default` = Recipe(
        sizes: [
            Size(name: "large", width: 1600, height: 1600, fit: .inside),
            Size(name: "medium", width: 800, height: 800, fit: .inside),
            Size(name: "thumb", width: 200, height: 200, fit: .cover, crop: .attention),
        ],
        formats: [.webp, .jpeg]
    )
}
