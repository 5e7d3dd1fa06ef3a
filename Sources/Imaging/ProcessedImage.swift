import PipelineModel
/// Everything the engine made of one input image.
public struct ProcessedImage: Sendable, Equatable {
    /// Every size in every format, sizes in recipe order, formats in recipe order within a size.
    public var renditions: [Rendition]
    /// Facts about the input.
    public var analysis: ImageAnalysis
    /// How long the engine's steps took, in order: `decode`, `analyse`, then per size `resize`
    /// and `encode_FORMAT` (repeated steps are summed). Not part of equality.
    public var steps: [StepTimings.Step]

    /// A result; the engine produces these.
    public init(renditions: [Rendition], analysis: ImageAnalysis, steps: [StepTimings.Step] = []) {
        self.renditions = renditions
        self.analysis = analysis
        self.steps = steps
    }

    public static func == (lhs: ProcessedImage, rhs: ProcessedImage) -> Bool {
        lhs.renditions == rhs.renditions && lhs.analysis == rhs.analysis
    }
}
