import Foundation

extension Recipe {
    /// A mark drawn over every output size: text or an image, at one of nine positions.
    public struct Watermark: Sendable, Equatable {
        /// What is drawn.
        public enum Content: Sendable, Equatable {
            /// Text rendered with the system's sans-serif font.
            case text(String)
            /// An encoded image (PNG with alpha works best); in JSON, base64 under `image`.
            case image(Data)
        }

        /// Where the mark sits, inset by `margin`; in JSON, kebab-case (`bottom-right`).
        public enum Position: String, Sendable, Codable, CaseIterable {
            /// Top-left corner.
            case topLeft = "top-left"
            /// Top edge, centred horizontally.
            case top
            /// Top-right corner.
            case topRight = "top-right"
            /// Left edge, centred vertically.
            case left
            /// The middle.
            case centre
            /// Right edge, centred vertically.
            case right
            /// Bottom-left corner.
            case bottomLeft = "bottom-left"
            /// Bottom edge, centred horizontally.
            case bottom
            /// Bottom-right corner (the default).
            case bottomRight = "bottom-right"
        }

        /// What is drawn.
        public var content: Content
        /// Where it is drawn.
        public var position: Position
        /// 0 (invisible) to 1 (opaque).
        public var opacity: Double
        /// Distance from the edges, in output pixels.
        public var margin: Int
        /// Width of the mark as a fraction of the output width, in (0, 1].
        public var scale: Double
        /// Text colour as `#rrggbb`.
        public var color: String

        /// A watermark; defaults suit a discreet corner mark.
        public init(
            content: Content,
            position: Position = .bottomRight,
            opacity: Double = 0.5,
            margin: Int = 16,
            scale: Double = 0.25,
            color: String = "#ffffff"
        ) {
            self.content = content
            self.position = position
            self.opacity = opacity
            self.margin = margin
            self.scale = scale
            self.color = color
        }

        /// `color` as 0–255 components, or nil if it is not `#rrggbb`.
        package var rgb: (red: Double, green: Double, blue: Double)? {
            guard color.count == 7, color.first == "#", let value = UInt32(color.dropFirst(), radix: 16) else { return nil }
            return (Double(value >> 16 & 0xff), Double(value >> 8 & 0xff), Double(value & 0xff))
        }
    }
}
