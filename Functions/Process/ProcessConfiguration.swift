import Foundation
import GoogleCloud
import Imaging
import PipelineModel
import PixelPipeCore

/// Everything the process stage reads from the environment, once at start-up: the pipeline's
/// shared settings, how source images are downloaded, the imaging limits, and how many outputs
/// of one image are uploaded at once.
struct ProcessConfiguration: Sendable {
    /// Buckets, queues, the default recipe, links and the image queue's `maxAttempts`.
    var pipeline: PipelineConfiguration
    /// Limits for fetching source images (`MAX_IMAGE_BYTES`, `DOWNLOAD_*`).
    var download: DownloadPolicy
    /// Pixel limits and encoder tuning (`IMAGE_*`).
    var imaging: ImagingConfiguration
    /// `UPLOAD_CONCURRENCY`: outputs of one image uploaded at once.
    var uploadConcurrency: Int

    /// Values for tests: defaults around `pipeline`.
    init(pipeline: PipelineConfiguration, download: DownloadPolicy = DownloadPolicy(), imaging: ImagingConfiguration = ImagingConfiguration(), uploadConcurrency: Int = 4) {
        self.pipeline = pipeline
        self.download = download
        self.imaging = imaging
        self.uploadConcurrency = uploadConcurrency
    }

    /// Reads the configuration; `GOOGLE_CLOUD_PROJECT` and `PIXELPIPE_TEARDOWN_URL` are required
    /// (the item that completes a job must be able to enqueue its teardown).
    init(environment: EnvironmentValues) throws(ConfigurationError) {
        let pipeline = try PipelineConfiguration(environment: environment)
        _ = try pipeline.requireTeardownURL()
        self.init(
            pipeline: pipeline,
            download: try DownloadPolicy(environment: environment),
            imaging: try ImagingConfiguration(environment: environment),
            uploadConcurrency: try environment.integer("UPLOAD_CONCURRENCY", default: 4, in: 1...64)
        )
    }
}
