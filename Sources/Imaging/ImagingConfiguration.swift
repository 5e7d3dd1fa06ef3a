import Foundation
import PixelPipeCore

/// Limits and tuning of the imaging engine, read once from the environment at start-up.
///
/// libvips settings (concurrency, cache, blocked loaders) are process-wide: the last engine
/// created decides them, so a process should have one engine.
public struct ImagingConfiguration: Sendable, Equatable {
    /// What to do with animated (multi-frame) input.
    public enum AnimationPolicy: String, Sendable, CaseIterable {
        /// Process the first frame only.
        case firstFrame = "first-frame"
        /// Reject with `ImagingError.animated`.
        case reject
    }

    /// Largest image accepted, in pixels after orientation and summed across frames
    /// (`IMAGE_MAX_PIXELS`); checked from the header before any pixel is decoded.
    public var maxPixels: Int
    /// Most frames (pages) a file may declare (`IMAGE_MAX_FRAMES`).
    public var maxFrames: Int
    /// Animated input handling (`IMAGE_ANIMATION`: `first-frame` or `reject`).
    public var animation: AnimationPolicy
    /// Dedicated threads running libvips work (`IMAGE_WORKERS`); one image per thread at a time.
    public var workerThreads: Int
    /// Threads libvips uses inside one pipeline (`IMAGE_VIPS_CONCURRENCY`). With several
    /// workers, 1 is best for throughput: parallelism comes from images, not tiles.
    public var vipsConcurrency: Int
    /// Hamming distance at or below which two perceptual hashes count as near-duplicates
    /// (`IMAGE_DUPLICATE_DISTANCE`).
    public var nearDuplicateDistance: Int
    /// WebP encoder effort, 0 (fastest) to 6 (`IMAGE_WEBP_EFFORT`).
    public var webpEffort: Int
    /// AVIF (AV1) encoder effort, 0 (fastest) to 9; libaom speed is 9 minus this (`IMAGE_AVIF_EFFORT`).
    public var avifEffort: Int
    /// PNG zlib compression level, 0 to 9 (`IMAGE_PNG_COMPRESSION`).
    public var pngCompression: Int

    /// Defaults sized for a 2-core instance.
    public init(
        maxPixels: Int = 50_000_000,
        maxFrames: Int = 100,
        animation: AnimationPolicy = .firstFrame,
        workerThreads: Int = ProcessInfo.processInfo.activeProcessorCount,
        vipsConcurrency: Int = 1,
        nearDuplicateDistance: Int = 10,
        webpEffort: Int = 2,
        avifEffort: Int = 2,
        pngCompression: Int = 6
    ) {
        self.maxPixels = maxPixels
        self.maxFrames = maxFrames
        self.animation = animation
        self.workerThreads = max(1, workerThreads)
        self.vipsConcurrency = max(1, vipsConcurrency)
        self.nearDuplicateDistance = nearDuplicateDistance
        self.webpEffort = webpEffort
        self.avifEffort = avifEffort
        self.pngCompression = pngCompression
    }

    /// Reads the configuration from environment variables, defaulting what is unset.
    public init(environment: EnvironmentValues) throws(ConfigurationError) {
        let defaults = ImagingConfiguration()
        self.init(
            maxPixels: try environment.integer("IMAGE_MAX_PIXELS", default: defaults.maxPixels, in: 1...1_000_000_000),
            maxFrames: try environment.integer("IMAGE_MAX_FRAMES", default: defaults.maxFrames, in: 1...10_000),
            animation: try environment.choice("IMAGE_ANIMATION", default: defaults.animation),
            workerThreads: try environment.integer("IMAGE_WORKERS", default: defaults.workerThreads, in: 1...256),
            vipsConcurrency: try environment.integer("IMAGE_VIPS_CONCURRENCY", default: defaults.vipsConcurrency, in: 1...256),
            nearDuplicateDistance: try environment.integer("IMAGE_DUPLICATE_DISTANCE", default: defaults.nearDuplicateDistance, in: 0...64),
            webpEffort: try environment.integer("IMAGE_WEBP_EFFORT", default: defaults.webpEffort, in: 0...6),
            avifEffort: try environment.integer("IMAGE_AVIF_EFFORT", default: defaults.avifEffort, in: 0...3),
            pngCompression: try environment.integer("IMAGE_PNG_COMPRESSION", default: defaults.pngCompression, in: 0...9)
        )
    }
}
