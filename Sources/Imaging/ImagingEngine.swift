import Foundation
import PipelineModel

/// The image work of the process stage: probe, process a recipe, analyse. Every call is
/// async and runs libvips on the engine's own worker threads, never on the cooperative pool;
/// an image whose header breaks the limits is refused before any pixel is decoded.
///
/// Create one per process: libvips settings (concurrency, cache, blocked loaders) are global.
public final class ImagingEngine: Sendable {
    /// The limits and tuning in force.
    public let configuration: ImagingConfiguration
    private let pool: VipsWorkerPool

    /// Initialises libvips (once per process), applies the settings, starts the workers.
    public init(configuration: ImagingConfiguration = ImagingConfiguration()) throws(ImagingError) {
        try VipsLibrary.configure(concurrency: configuration.vipsConcurrency)
        self.configuration = configuration
        self.pool = VipsWorkerPool(threads: configuration.workerThreads)
    }

    deinit { pool.shutdown() }

    /// The linked libvips version, e.g. `8.14.1`.
    public static var libvipsVersion: String { VipsLibrary.version }

    /// Whether libvips refuses a loader (by nickname, e.g. `svgload_buffer`) in this process.
    public static func isLoaderBlocked(_ nickname: String) -> Bool { VipsLibrary.isBlocked(nickname) }

    /// Reads the header only and checks it against the limits.
    public func probe(_ data: Data) async throws(ImagingError) -> ImageProbe {
        let configuration = self.configuration
        return try await run(data) { bytes throws(ImagingError) in try ImageProbe.read(bytes, limits: configuration) }
    }

    /// Makes every size × format of a recipe from one decode, and analyses the image.
    public func process(_ data: Data, recipe: Recipe) async throws(ImagingError) -> ProcessedImage {
        do {
            try recipe.validate()
        } catch {
            throw ImagingError.invalidRecipe.with(detail: error.description)
        }
        let pipeline = ImagePipeline(configuration: configuration)
        return try await run(data) { bytes throws(ImagingError) in try pipeline.process(bytes, recipe: recipe) }
    }

    /// One output `width` pixels wide (smaller images are not enlarged), metadata stripped.
    public func thumbnail(_ data: Data, width: Int, format: OutputFormat = .jpeg, quality: Int = 50) async throws(ImagingError) -> Rendition {
        let pipeline = ImagePipeline(configuration: configuration)
        return try await run(data) { bytes throws(ImagingError) in
            try pipeline.thumbnail(bytes, width: max(1, width), format: format, quality: min(max(quality, 1), 100))
        }
    }

    /// Dimensions, format, alpha, dominant colour and perceptual hash, without producing outputs.
    public func analyse(_ data: Data) async throws(ImagingError) -> ImageAnalysis {
        let pipeline = ImagePipeline(configuration: configuration)
        return try await run(data) { bytes throws(ImagingError) in try pipeline.analyse(bytes) }
    }

    /// Whether two analysed images are near-duplicates under the configured threshold.
    public func areNearDuplicates(_ first: ImageAnalysis, _ second: ImageAnalysis) -> Bool {
        first.perceptualHash.isNearDuplicate(of: second.perceptualHash, threshold: configuration.nearDuplicateDistance)
    }

    /// Runs `body` over the bytes of `data` on a worker thread.
    private func run<T: Sendable>(
        _ data: Data,
        _ body: @escaping @Sendable (UnsafeRawBufferPointer) throws(ImagingError) -> T
    ) async throws(ImagingError) -> T {
        try await pool.run { () throws(ImagingError) -> T in
            try data.withUnsafeBytes { bytes in
                Result { () throws(ImagingError) -> T in try body(bytes) }
            }.get()
        }
    }
}
