import Foundation
import GoogleCloud
import Imaging
import PipelineModel

/// The image work both entry points share: download a source safely, make every output a
/// recipe asks for with the imaging engine, and store the outputs. Knows nothing of tasks,
/// ledgers or HTTP; every failure is an `ImageFailure` naming the source.
struct ImageProcessor: Sendable {
    /// What one image became.
    struct Result: Sendable {
        var outputs: [ItemRecord.Output]
        var analysis: ImageAnalysis
    }

    let downloader: SafeDownloader
    let engine: ImagingEngine
    let store: OutputStore
    /// Reads `gs://` sources (images the jobs API stored); nil refuses them.
    var uploads: UploadedImageReader?

    /// Fetches `url` within the download policy (`gs://` sources from the uploads bucket).
    func download(_ url: String) async throws(ImageFailure) -> Data {
        if UploadedImageReader.handles(url) {
            guard let uploads else { throw ImageFailure(source: url, reason: "gs:// sources are not read here", isTransient: false, kind: "uploadedSource") }
            return try await uploads.read(url)
        }
        do {
            return try await downloader.download(url).data
        } catch {
            throw .download(error)
        }
    }

    /// Processes `data` with `recipe` and stores each rendition under `name(rendition)`.
    func make(_ data: Data, recipe: Recipe, source: String, name: @Sendable (Rendition) -> String) async throws(ImageFailure) -> Result {
        var timings = StepTimings(startedAt: "")
        return try await make(data, recipe: recipe, source: source, timings: &timings, name: name)
    }

    /// `make`, adding the imaging engine's steps (decode, analyse, resize, each encode) and the
    /// upload of the outputs to `timings`.
    func make(_ data: Data, recipe: Recipe, source: String, timings: inout StepTimings, name: @Sendable (Rendition) -> String) async throws(ImageFailure) -> Result {
        let processed: ProcessedImage
        do {
            processed = try await engine.process(data, recipe: recipe)
        } catch {
            throw .imaging(error, source: source)
        }
        timings.steps += processed.steps
        let uploadStarted = ContinuousClock.now
        let outputs = try await store.store(processed.renditions, source: source, name: name)
        timings.add("upload", ContinuousClock.now - uploadStarted)
        return Result(outputs: outputs, analysis: processed.analysis)
    }
}
