import PixelPipeCore
/// How many output pixels a recipe may ask for, checked on the recipe before any image is
/// downloaded: the box of each output (`MAX_OUTPUT_PIXELS`) and the sum over every size ×
/// format one image becomes (`MAX_REQUEST_OUTPUT_PIXELS`). Encoding costs CPU and memory in
/// proportion to pixels, so without a budget a 400-byte request for four 8192 × 8192 sizes in
/// three formats buys twenty seconds of CPU and hundreds of megabytes.
public struct OutputBudget: Sendable, Equatable {
    /// Most pixels (box width × height) of one output (`MAX_OUTPUT_PIXELS`).
    public var maxOutputPixels: Int
    /// Most pixels of all the outputs of one image together (`MAX_REQUEST_OUTPUT_PIXELS`).
    public var maxRequestOutputPixels: Int

    /// The defaults admit a 6000 × 6000 output, and the built-in recipe many times over.
    public init(maxOutputPixels: Int = 40_000_000, maxRequestOutputPixels: Int = 100_000_000) {
        self.maxOutputPixels = maxOutputPixels
        self.maxRequestOutputPixels = maxRequestOutputPixels
    }

    /// Reads `MAX_OUTPUT_PIXELS` and `MAX_REQUEST_OUTPUT_PIXELS`, defaulting what is unset.
    public init(environment: EnvironmentValues) throws(ConfigurationError) {
        let defaults = OutputBudget()
        self.init(
            maxOutputPixels: try environment.integer("MAX_OUTPUT_PIXELS", default: defaults.maxOutputPixels, in: 1...2_000_000_000),
            maxRequestOutputPixels: try environment.integer("MAX_REQUEST_OUTPUT_PIXELS", default: defaults.maxRequestOutputPixels, in: 1...50_000_000_000)
        )
    }

    /// Throws when `recipe` asks for more than the budget: first any one size's box, then all
    /// sizes × formats together.
    public func check(_ recipe: Recipe) throws(OutputBudgetError) {
        var total = 0
        for (index, size) in recipe.sizes.enumerated() {
            let (width, height) = size.box
            if width * height > maxOutputPixels {
                throw OutputBudgetError(
                    variable: "MAX_OUTPUT_PIXELS", limit: maxOutputPixels, asked: width * height,
                    what: "sizes[\(index)] (\"\(size.name)\") asks for \(width)x\(height) = \(width * height) pixels per output image"
                )
            }
            total += width * height * recipe.formats.count
        }
        if total > maxRequestOutputPixels {
            throw OutputBudgetError(
                variable: "MAX_REQUEST_OUTPUT_PIXELS", limit: maxRequestOutputPixels, asked: total,
                what: "the recipe asks for \(total) output pixels per image (\(recipe.sizes.count) sizes x \(recipe.formats.count) formats)"
            )
        }
    }
}
