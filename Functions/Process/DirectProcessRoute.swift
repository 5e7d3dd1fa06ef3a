import Crypto
import Foundation
import FunctionsFramework
import GoogleCloud
import Imaging
import Logging
import PipelineModel

/// `POST /process`: one image processed synchronously, for direct use. The body is either JSON
/// `{"url": "...", "recipe": {...}}` or the image itself (any other content type, with an
/// optional `recipe` query parameter holding JSON). A given recipe is merged over the configured
/// default. Outputs go to the processed bucket under `direct/HASH/SIZE.EXT`, where HASH is the
/// first 16 hex digits of SHA-256 of the input bytes and the effective recipe, so the same
/// request writes the same objects.
///
/// Answers 200 `{"outputs": [...], "analysis": {...}}`; 400 for a body or recipe that cannot be
/// used, 422 for a recipe over the output budget (checked before any download) and when the
/// source cannot be downloaded or is not a usable image, 503 when a retry may help.
struct DirectProcessRoute: InvocationHandler {
    /// The answer.
    struct Answer: Encodable {
        var outputs: [ItemRecord.Output]
        var analysis: ImageAnalysis
    }

    let processor: ImageProcessor
    let defaultRecipe: Recipe
    /// What a request's recipe may ask for; the default recipe was checked at start-up.
    let budget: OutputBudget

    func handle(_ request: InvocationRequest, context: InvocationContext) async throws -> InvocationResponse {
        let (input, recipe) = try await readInput(request)
        let key = Self.contentKey(input.data, recipe: recipe)
        var logger = context.logger
        logger[metadataKey: "pixelpipe.direct"] = .string(key)
        let result: ImageProcessor.Result
        do {
            result = try await processor.make(input.data, recipe: recipe, source: input.source) { rendition in
                "direct/\(key)/\(PipelineNames.slug(rendition.size)).\(rendition.format.fileExtension)"
            }
        } catch {
            throw Self.invocationError(error)
        }
        logger.debug("direct request processed", metadata: ["pixelpipe.outputs": .stringConvertible(result.outputs.count)])
        return try .json(Answer(outputs: result.outputs, analysis: result.analysis))
    }

    /// The image bytes (downloaded or from the body), what to call them in errors, and the recipe.
    private func readInput(_ request: InvocationRequest) async throws -> (input: (data: Data, source: String), recipe: Recipe) {
        if let mediaType = request.mediaType, mediaType == "application/json" || mediaType.hasSuffix("+json") {
            let body = try DirectProcessBody(json: request.body)
            // gs:// sources are the pipeline's own uploads (jobs API images), never a caller's to name.
            if UploadedImageReader.handles(body.url) {
                throw InvocationError.permanent("\(body.url): only http and https URLs are downloaded here")
            }
            let recipe = try mergedRecipe(body.recipe)
            do {
                return ((try await processor.download(body.url), body.url), recipe)
            } catch {
                throw Self.invocationError(error)
            }
        }
        guard !request.body.isEmpty else {
            throw InvocationError.malformed("the body is empty: send JSON {\"url\": ...} or the image itself")
        }
        let maxBytes = processor.downloader.policy.maxBytes
        guard request.body.count <= maxBytes else {
            // The same limit as for downloaded images (`MAX_IMAGE_BYTES`).
            throw InvocationError.permanent("the request body: larger than the \(maxBytes)-byte limit")
        }
        let recipe = try mergedRecipe(request.queryValue("recipe").map { Data($0.utf8) })
        return ((request.body, "the request body"), recipe)
    }

    /// The configured default with `override` merged over it, within the output budget.
    private func mergedRecipe(_ override: Data?) throws(InvocationError) -> Recipe {
        guard let override else { return defaultRecipe }
        let recipe: Recipe
        do {
            recipe = try defaultRecipe.merging(overrideJSON: override)
        } catch {
            throw .malformed("recipe: \(error)")
        }
        do {
            try budget.check(recipe)
        } catch {
            throw .permanent(error.description)
        }
        return recipe
    }

    private static func invocationError(_ failure: ImageFailure) -> InvocationError {
        failure.isTransient ? .transient(failure.description) : .permanent(failure.description)
    }

    /// First 16 hex digits of SHA-256 of the input and the recipe's JSON (keys sorted).
    static func contentKey(_ data: Data, recipe: Recipe) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var hasher = SHA256()
        hasher.update(data: data)
        // Encoding a validated recipe cannot fail; an empty suffix would still key by content.
        hasher.update(data: (try? encoder.encode(recipe)) ?? Data())
        return hasher.finalize().prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
