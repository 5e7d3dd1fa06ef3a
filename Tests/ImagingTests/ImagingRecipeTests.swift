import Foundation
import Imaging
import PipelineModel
import PixelPipeCore
import Testing
@testable import Imaging

@Suite("Imaging recipe")
struct ImagingRecipeTests {
    @Test("an empty document is the default recipe, and the default round-trips through JSON")
    func defaults() throws {
        #expect(try Recipe(json: Data("{}".utf8)) == .default)
        #expect(Recipe.default.quality == 50)
        let json = try JSONEncoder().encode(Recipe.default)
        #expect(try Recipe(json: json) == .default)
    }

    @Test("a full document decodes every field")
    func fullDocument() throws {
        let json = """
            {"sizes":[{"name":"hero","width":1200,"height":600,"fit":"cover","crop":"attention","enlarge":true},{"name":"w300","width":300}],
             "formats":["avif","png"],"quality":72,"progressive":true,"keepIccProfile":true,
             "watermark":{"text":"© Shop","position":"top-left","opacity":0.3,"margin":8,"scale":0.5,"color":"#ff0000"},
             "filters":{"grayscale":true,"blur":1.5,"sharpen":true}}
            """
        let recipe = try Recipe(json: Data(json.utf8))
        #expect(recipe.sizes == [
            .init(name: "hero", width: 1200, height: 600, fit: .cover, crop: .attention, enlarge: true),
            .init(name: "w300", width: 300, height: nil, fit: .inside),
        ])
        #expect(recipe.formats == [.avif, .png])
        #expect(recipe.quality == 72 && recipe.progressive && recipe.keepICCProfile)
        #expect(recipe.watermark == .init(content: .text("© Shop"), position: .topLeft, opacity: 0.3, margin: 8, scale: 0.5, color: "#ff0000"))
        #expect(recipe.filters == .init(grayscale: true, blur: 1.5, sharpen: true))
    }

    static let invalid: [(json: String, field: String)] = [
        (#"{"quality":0}"#, "quality"),
        (#"{"quality":"high"}"#, "quality"),
        (#"{"sizes":[]}"#, "sizes"),
        (#"{"sizes":[{"name":"a","width":100},{"name":"b","width":0}]}"#, "sizes[1].width"),
        (#"{"sizes":[{"name":"a","width":100,"fit":"stretch"}]}"#, "sizes[0].fit"),
        (#"{"sizes":[{"name":"a","width":100,"fit":"cover"}]}"#, "sizes[0].height"),
        (#"{"sizes":[{"width":100}]}"#, "sizes[0].name"),
        (#"{"sizes":[{"name":"Big Size","width":100}]}"#, "sizes[0].name"),
        (#"{"sizes":[{"name":"a","width":100},{"name":"a","width":50}]}"#, "sizes[1].name"),
        (#"{"sizes":[{"name":"a"}]}"#, "sizes[0].width"),
        (#"{"formats":["jpeg","gif"]}"#, "formats[1]"),
        (#"{"formats":["jpeg","jpeg"]}"#, "formats[1]"),
        (#"{"formats":[]}"#, "formats"),
        (#"{"watermark":{"text":"x","opacity":2}}"#, "watermark.opacity"),
        (#"{"watermark":{"text":"x","position":"middle"}}"#, "watermark.position"),
        (#"{"watermark":{"text":"x","scale":0}}"#, "watermark.scale"),
        (#"{"watermark":{"text":"x","color":"red"}}"#, "watermark.color"),
        (#"{"watermark":{"opacity":0.5}}"#, "watermark.text"),
        (#"{"watermark":{"text":"   "}}"#, "watermark.text"),
        (#"{"filters":{"blur":-1}}"#, "filters.blur"),
        (#"{"filters":{"grayscale":"yes"}}"#, "filters.grayscale"),
    ]

    @Test("invalid recipes are refused with an error naming the field", arguments: invalid)
    func namesField(json: String, field: String) {
        #expect {
            try Recipe(json: Data(json.utf8))
        } throws: { error in
            (error as? RecipeError)?.field == field
        }
    }

    static let unknownKeys: [(json: String, message: String)] = [
        (#"{"qualty":80}"#, "unknown recipe key qualty; did you mean 'quality'?"),
        (#"{"filters":{"sepia":true}}"#, "unknown recipe key filters.sepia; expected one of grayscale, blur, sharpen"),
        (#"{"sizes":[{"name":"a","width":10},{"name":"b","widht":10}]}"#, "unknown recipe key sizes[1].widht; did you mean 'width'?"),
        (#"{"sizes":[{"name":"a","width":10,"enlage":true}]}"#, "unknown recipe key sizes[0].enlage; did you mean 'enlarge'?"),
        (#"{"watermark":{"text":"x","postion":"top"}}"#, "unknown recipe key watermark.postion; did you mean 'position'?"),
        (#"{"keepIccProfle":true}"#, "unknown recipe key keepIccProfle; did you mean 'keepIccProfile'?"),
        (#"{"size":[{"name":"a","width":10}]}"#, "unknown recipe key size; did you mean 'sizes'?"),
    ]

    @Test("unknown keys, top level and nested, are errors naming the key path and suggesting a near miss", arguments: unknownKeys)
    func unknownKey(json: String, message: String) {
        let error = #expect(throws: RecipeError.self) { try Recipe(json: Data(json.utf8)) }
        #expect(error?.description == message)
        let override = #expect(throws: RecipeError.self) { try Recipe.default.merging(overrideJSON: Data(json.utf8)) }
        #expect(override?.description == message)
    }

    @Test("an unknown key in IMAGE_RECIPE is a start-up error naming the variable and the key")
    func unknownKeyInEnvironment() {
        let error = #expect(throws: ConfigurationError.self) {
            try Recipe(environment: EnvironmentValues(["IMAGE_RECIPE": #"{"qualty":80}"#]))
        }
        #expect(error?.key == "IMAGE_RECIPE")
        #expect(error?.description == #"IMAGE_RECIPE="{\"qualty\":80}" is not valid: expected a valid recipe (unknown recipe key qualty; did you mean 'quality'?)"#)
    }

    @Test("malformed JSON is refused as such")
    func malformed() {
        #expect(throws: RecipeError.self) { try Recipe(json: Data("{sizes:".utf8)) }
        #expect(throws: RecipeError.self) { try Recipe(json: Data("[1,2]".utf8)) }
    }

    @Test("a job override merges over the default: objects by key, arrays replaced, null removes")
    func override() throws {
        var base = Recipe.default
        base.watermark = .init(content: .text("Shop"))
        let merged = try base.merging(overrideJSON: Data(#"{"quality":80,"formats":["avif"],"watermark":{"opacity":0.2}}"#.utf8))
        #expect(merged.quality == 80)
        #expect(merged.formats == [.avif])
        #expect(merged.sizes == Recipe.default.sizes)
        #expect(merged.watermark?.content == .text("Shop") && merged.watermark?.opacity == 0.2)
        let removed = try base.merging(overrideJSON: Data(#"{"watermark":null}"#.utf8))
        #expect(removed.watermark == nil)
    }

    @Test("an override that breaks the recipe names the field")
    func badOverride() {
        #expect {
            try Recipe.default.merging(overrideJSON: Data(#"{"sizes":[{"name":"x","width":99999}]}"#.utf8))
        } throws: { error in
            (error as? RecipeError)?.field == "sizes[0].width"
        }
        #expect(throws: RecipeError.self) { try Recipe.default.merging(overrideJSON: Data("42".utf8)) }
    }

    @Test("the default recipe comes from IMAGE_RECIPE, or the built-in one")
    func fromEnvironment() throws {
        #expect(try Recipe(environment: EnvironmentValues([:])) == .default)
        let custom = try Recipe(environment: EnvironmentValues(["IMAGE_RECIPE": #"{"quality":65,"formats":["jpeg"]}"#]))
        #expect(custom.quality == 65 && custom.formats == [.jpeg])
        #expect {
            try Recipe(environment: EnvironmentValues(["IMAGE_RECIPE": #"{"quality":500}"#]))
        } throws: { error in
            (error as? ConfigurationError)?.key == "IMAGE_RECIPE" && "\(error)".contains("quality")
        }
    }

    @Test("the engine refuses an invalid recipe before touching the image")
    func engineValidates() async throws {
        let engine = try ImagingEngine(configuration: ImagingConfiguration(workerThreads: 1))
        let recipe = Recipe(sizes: [], formats: [.jpeg])
        await #expect(throws: ImagingError.invalidRecipe) { try await engine.process(Data([1, 2, 3]), recipe: recipe) }
    }

    @Test("the imaging configuration reads its variables")
    func configuration() throws {
        let values = EnvironmentValues([
            "IMAGE_MAX_PIXELS": "1000000", "IMAGE_MAX_FRAMES": "4", "IMAGE_ANIMATION": "reject",
            "IMAGE_WORKERS": "3", "IMAGE_VIPS_CONCURRENCY": "2", "IMAGE_DUPLICATE_DISTANCE": "6",
        ])
        let configuration = try ImagingConfiguration(environment: values)
        #expect(configuration.maxPixels == 1_000_000 && configuration.maxFrames == 4)
        #expect(configuration.animation == .reject && configuration.workerThreads == 3)
        #expect(configuration.vipsConcurrency == 2 && configuration.nearDuplicateDistance == 6)
        #expect(try ImagingConfiguration(environment: EnvironmentValues([:])).maxPixels == 50_000_000)
        #expect(throws: ConfigurationError.malformed("IMAGE_ANIMATION", value: "loop", expected: "one of first-frame, reject")) {
            try ImagingConfiguration(environment: EnvironmentValues(["IMAGE_ANIMATION": "loop"]))
        }
    }
}
