import PipelineModel
import PixelPipeCore

/// What teardown reads from the environment besides the pipeline's shared settings.
struct TeardownConfiguration: Sendable {
    /// Buckets, queues, links and the webhook's address policy.
    var pipeline: PipelineConfiguration
    /// `WEBHOOK_SECRET`, the HMAC key every webhook is signed with; never logged.
    var webhookSecret: String
    /// `NEAR_DUPLICATE_DISTANCE`: the largest perceptual-hash distance (bits) at which two images
    /// of a job count as near-duplicates; the imaging engine uses the same variable and default.
    var nearDuplicateDistance: Int = 10
    /// `WEBHOOK_TIMEOUT` (seconds): how long one webhook call may take before it counts as failed.
    var webhookTimeout: Duration = .seconds(10)
    /// How long a finalizer lease holds unrenewed before another invocation may take it over.
    /// The holder renews it every third of this while it works, so a long finalization keeps
    /// it; short, so that a crashed holder delays the job only briefly.
    var leaseDuration: Duration = .seconds(120)
    /// `JOB_STALL_TIMEOUT` (seconds): at its deadline, a job that recorded an item less than this
    /// long ago (or still has tasks queued) is still progressing, and the watchdog moves the
    /// deadline on by this much instead of timing it out. Longer than the image queue's retry
    /// window, so items waiting out a source's outage do not count as a stall.
    var stallTimeout: Duration

    /// Defaults around `pipeline`; tests change what they need.
    init(pipeline: PipelineConfiguration, webhookSecret: String) {
        self.pipeline = pipeline
        self.webhookSecret = webhookSecret
        stallTimeout = pipeline.imageQueue.maxRetryDuration + pipeline.imageQueue.maxBackoff * 2 + .seconds(600)
    }

    /// Reads the pipeline configuration and teardown's own variables. `WEBHOOK_SECRET` is
    /// required: every webhook is signed (`emulator up` generates one, the deployment keeps one
    /// in Secret Manager).
    init(environment: EnvironmentValues) throws(ConfigurationError) {
        let pipeline = try PipelineConfiguration(environment: environment)
        guard let secret = pipeline.webhookSecret, !secret.isEmpty else {
            throw .missing("WEBHOOK_SECRET")
        }
        self.init(pipeline: pipeline, webhookSecret: secret)
        nearDuplicateDistance = try environment.integer("NEAR_DUPLICATE_DISTANCE", default: nearDuplicateDistance, in: 0...64)
        webhookTimeout = try environment.seconds("WEBHOOK_TIMEOUT", default: webhookTimeout)
        stallTimeout = try environment.seconds("JOB_STALL_TIMEOUT", default: stallTimeout)
    }
}
