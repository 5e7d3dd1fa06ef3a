import PipelineModel
import PixelPipeCore
import Testing

@Suite("Output pixel budget")
struct OutputBudgetTests {
    /// The issue's request: four 8192 x 8192 `fill` sizes in three formats.
    static let fourHuge = Recipe(
        sizes: (1...4).map { Recipe.Size(name: "s\($0)", width: 8192, height: 8192, fit: .fill) },
        formats: [.jpeg, .webp, .png]
    )

    @Test("one output over MAX_OUTPUT_PIXELS is refused naming the size, its box, the variable and the limit")
    func perOutput() {
        let error = #expect(throws: OutputBudgetError.self) { try OutputBudget().check(Self.fourHuge) }
        #expect(error?.variable == "MAX_OUTPUT_PIXELS")
        #expect(error?.description == #"sizes[0] ("s1") asks for 8192x8192 = 67108864 pixels per output image, over the budget MAX_OUTPUT_PIXELS=40000000"#)
    }

    @Test("all outputs of one image over MAX_REQUEST_OUTPUT_PIXELS are refused naming the total, the variable and the limit")
    func perRequest() {
        let recipe = Recipe(sizes: (1...3).map { Recipe.Size(name: "s\($0)", width: 6000, height: 6000, fit: .cover) }, formats: [.jpeg, .webp])
        let error = #expect(throws: OutputBudgetError.self) { try OutputBudget().check(recipe) }
        #expect(error?.variable == "MAX_REQUEST_OUTPUT_PIXELS")
        #expect(error?.description == "the recipe asks for 216000000 output pixels per image (3 sizes x 2 formats), over the budget MAX_REQUEST_OUTPUT_PIXELS=100000000")
    }

    @Test("an open side counts as the largest box side; the built-in recipe is well within the defaults")
    func openSide() throws {
        try OutputBudget().check(.default)
        let wide = Recipe(sizes: [Recipe.Size(name: "w", width: 6000, height: nil)], formats: [.jpeg])
        let error = #expect(throws: OutputBudgetError.self) { try OutputBudget().check(wide) }
        #expect(error?.asked == 6000 * Recipe.maxDimension)
        try OutputBudget(maxOutputPixels: 6000 * 8192, maxRequestOutputPixels: 6000 * 8192).check(wide)
    }

    @Test("the budgets come from MAX_OUTPUT_PIXELS and MAX_REQUEST_OUTPUT_PIXELS; bad values name the variable")
    func environment() throws {
        #expect(try OutputBudget(environment: EnvironmentValues([:])) == OutputBudget(maxOutputPixels: 40_000_000, maxRequestOutputPixels: 100_000_000))
        let set = try OutputBudget(environment: EnvironmentValues(["MAX_OUTPUT_PIXELS": "1000", "MAX_REQUEST_OUTPUT_PIXELS": "5000"]))
        #expect(set == OutputBudget(maxOutputPixels: 1000, maxRequestOutputPixels: 5000))
        #expect(throws: ConfigurationError.malformed("MAX_OUTPUT_PIXELS", value: "lots", expected: "an integer in 1...2000000000")) {
            try OutputBudget(environment: EnvironmentValues(["MAX_OUTPUT_PIXELS": "lots"]))
        }
        #expect(throws: ConfigurationError.malformed("MAX_REQUEST_OUTPUT_PIXELS", value: "0", expected: "an integer in 1...50000000000")) {
            try OutputBudget(environment: EnvironmentValues(["MAX_REQUEST_OUTPUT_PIXELS": "0"]))
        }
    }

    @Test("a default recipe (IMAGE_RECIPE) over the budget stops the stage at start-up, naming IMAGE_RECIPE and the budget")
    func defaultRecipeOverBudget() {
        let error = #expect(throws: ConfigurationError.self) {
            try PipelineConfiguration(environment: EnvironmentValues(["GOOGLE_CLOUD_PROJECT": "p", "MAX_OUTPUT_PIXELS": "1000000"]))
        }
        #expect(error?.key == "IMAGE_RECIPE")
        #expect(error?.description.contains(#"sizes[0] ("large") asks for 1600x1600 = 2560000 pixels per output image, over the budget MAX_OUTPUT_PIXELS=1000000"#) == true)
    }
}
