import Foundation
import PipelineModel

/// One encoded output: a recipe size in one format.
public struct Rendition: Sendable, Equatable {
    /// The recipe size's name.
    public var size: String
    /// The encoding.
    public var format: OutputFormat
    /// Pixel width of the output.
    public var width: Int
    /// Pixel height of the output.
    public var height: Int
    /// The encoded file.
    public var data: Data

    /// A rendition; the engine produces these.
    public init(size: String, format: OutputFormat, width: Int, height: Int, data: Data) {
        self.size = size
        self.format = format
        self.width = width
        self.height = height
        self.data = data
    }
}
