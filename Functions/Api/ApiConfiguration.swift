import Foundation
import GoogleCloud
import PipelineModel
import PixelPipeCore

/// Everything the api service reads from the environment, once at start-up: the pipeline's
/// shared settings (buckets, default recipe, CSV limits, links) and how large an upload may be.
public struct ApiConfiguration: Sendable {
    /// Buckets, the default recipe and webhook, CSV limits, the output budget and links.
    public var pipeline: PipelineConfiguration
    /// Largest CSV accepted, in bytes: `CSV_MAX_FILE_BYTES`, the limit ingest enforces, checked
    /// here while the body streams in.
    public var maxCSVBytes: Int
    /// Largest uploaded image accepted, in bytes (`MAX_IMAGE_BYTES`, as for downloaded images).
    public var maxImageBytes: Int
    /// Bytes per chunk of the resumable uploads (`API_UPLOAD_CHUNK_BYTES`, default 8 MiB): the
    /// most of a request body the service holds at once.
    public var uploadChunkBytes: Int
    /// Largest `recipe` or `webhookUrl` multipart part and JSON body, in bytes.
    public var maxFieldBytes = 64 << 10
    /// Who may call, how tokens are checked, and per-user limits.
    public var auth: AuthConfiguration

    /// Values for tests: defaults around `pipeline`, tokens checked against `auth`.
    public init(pipeline: PipelineConfiguration, auth: AuthConfiguration, maxImageBytes: Int = 25 << 20, uploadChunkBytes: Int = 8 << 20) {
        self.pipeline = pipeline
        self.auth = auth
        maxCSVBytes = pipeline.csvLimits.maxFileBytes
        self.maxImageBytes = maxImageBytes
        self.uploadChunkBytes = uploadChunkBytes
    }

    /// Reads the configuration; `GOOGLE_CLOUD_PROJECT` is required.
    public init(environment: EnvironmentValues) throws(ConfigurationError) {
        let pipeline = try PipelineConfiguration(environment: environment)
        self.init(
            pipeline: pipeline,
            auth: try AuthConfiguration(environment: environment, project: pipeline.project),
            maxImageBytes: try environment.integer("MAX_IMAGE_BYTES", default: 25 << 20, in: 1...(1 << 31)),
            uploadChunkBytes: try environment.integer("API_UPLOAD_CHUNK_BYTES", default: 8 << 20, in: (256 << 10)...(256 << 20))
        )
    }
}
