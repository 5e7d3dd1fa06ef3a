import PipelineModel
/// Everything the engine made of one input image.
public struct ProcessedImage: Sendable, Equatable {
    /// Every size in every format, sizes in recipe order, formats in recipe order within a size.
    public var renditions: [Rendition]
    /// Facts about the input.
    public var analysis: ImageAnalysis

    /// A result; the engine produces these.
    public init(renditions: [Rendition], analysis: ImageAnalysis) {
        self.renditions = renditions
        self.analysis = analysis
    }
}
