import Foundation
import GoogleCloud
import PixelPipeCore

/// What the four pipeline stages share: where the buckets, topic and queues are, how a job's
/// image queue retries, the default recipe and the webhook. Read once from the environment;
/// every stage reads the same variables, so ingest, populate and process agree on, for
/// instance, the image queue's `maxAttempts` that decides a final attempt.
public struct PipelineConfiguration: Sendable {
    /// How a job's `images-JOB` queue dispatches and retries (Cloud Tasks `rateLimits`/`retryConfig`).
    public struct ImageQueue: Sendable, Equatable {
        /// `IMAGE_QUEUE_RATE`: dispatches per second.
        public var maxDispatchesPerSecond: Double = 200
        /// `IMAGE_QUEUE_CONCURRENCY`: tasks in flight at once.
        public var maxConcurrentDispatches: Int = 16
        /// `IMAGE_QUEUE_MAX_ATTEMPTS`: attempts at least, before an image that keeps failing
        /// transiently is recorded as failed.
        public var maxAttempts: Int = 5
        /// `IMAGE_QUEUE_MAX_RETRY_DURATION` (seconds; 0 = no window): how long, from its first
        /// attempt, a task that keeps failing transiently is retried. Cloud Tasks gives up only
        /// when both this and `maxAttempts` are spent, so an image host that is down for a while
        /// is waited for rather than written off after a few quick attempts.
        public var maxRetryDuration: Duration = .seconds(1800)
        /// `IMAGE_QUEUE_MIN_BACKOFF` (seconds).
        public var minBackoff: Duration = .seconds(1)
        /// `IMAGE_QUEUE_MAX_BACKOFF` (seconds).
        public var maxBackoff: Duration = .seconds(60)

        public init() {}

        /// The queue's settings as the Cloud Tasks API takes them.
        public var rateLimits: CloudTasksQueue.RateLimits {
            .init(maxDispatchesPerSecond: maxDispatchesPerSecond, maxConcurrentDispatches: maxConcurrentDispatches)
        }

        /// The queue's retry settings as the Cloud Tasks API takes them.
        public var retryConfig: CloudTasksQueue.RetryConfig {
            .init(
                maxAttempts: maxAttempts, maxRetryDuration: maxRetryDuration > .zero ? Self.text(maxRetryDuration) : nil,
                minBackoff: Self.text(minBackoff), maxBackoff: Self.text(maxBackoff), maxDoublings: 4
            )
        }

        /// Whether the queue gives up on a task after its failed attempt number `attempt`, first
        /// attempted at `firstAttempt` (its `firstAttempt.dispatchTime`), as Cloud Tasks decides:
        /// once both `maxAttempts` and `maxRetryDuration` are spent. The window counts as spent a
        /// little early (a twentieth of it, at most 5 s), because the queue decides when the
        /// answer reaches it, a moment after `now`: a task is better recorded failed one retry
        /// early than dropped uncounted.
        public func givesUp(afterAttempt attempt: Int, firstAttempt: Date?, now: Date) -> Bool {
            // -1 attempts: unlimited, so only the window can end the retries (and none: never).
            guard maxAttempts < 0 || attempt >= maxAttempts else { return false }
            guard maxRetryDuration > .zero else { return maxAttempts >= 0 }
            guard let firstAttempt else { return true }
            let margin = min(5, maxRetryDuration.timeInterval / 20)
            return now.timeIntervalSince(firstAttempt) + margin >= maxRetryDuration.timeInterval
        }

        private static func text(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            return GoogleDuration(nanoseconds: seconds * 1_000_000_000 + attoseconds / 1_000_000_000).text
        }
    }

    /// `GOOGLE_CLOUD_PROJECT`.
    public var project: String
    /// `CLOUD_TASKS_LOCATION`, the queues' region.
    public var location: String
    /// `UPLOADS_BUCKET`, where users drop CSVs.
    public var uploadsBucket: String
    /// `PROCESSED_BUCKET`, where outputs, output CSVs and error reports go.
    public var processedBucket: String
    /// `SHARDS_TOPIC`, the topic ingest publishes shard messages to.
    public var shardsTopic: String
    /// `CONTROL_QUEUE`, the queue of teardown and watchdog tasks.
    public var controlQueue: String
    /// `PIXELPIPE_PROCESS_URL`: where image tasks are sent (the process service's URL).
    public var processURL: String?
    /// `PIXELPIPE_TEARDOWN_URL`: where teardown and watchdog tasks are sent.
    public var teardownURL: String?
    /// `TASKS_SERVICE_ACCOUNT`: when set, tasks carry an OIDC token for this account (Cloud Run
    /// services that do not allow unauthenticated calls need one).
    public var tasksServiceAccount: String?
    /// `SHARD_ROWS`: data rows per shard message, at most.
    public var rowsPerShard: Int
    /// `SHARD_ITEMS`: a shard also ends once its rows hold this many items, so populate creates
    /// at most this many tasks per message, well within the subscription's ack deadline.
    public var itemsPerShard: Int
    /// `JOB_DEADLINE` (seconds): the base of a job's deadline, when the watchdog first looks at
    /// it (see `jobDeadline(forItems:)`).
    public var jobDeadline: Duration
    /// `JOB_DEADLINE_PER_IMAGE` (seconds): what each item adds to the deadline, so a large job
    /// is not timed out while its images are still being worked through.
    public var jobDeadlinePerItem: Duration
    /// The job queues' settings.
    public var imageQueue: ImageQueue
    /// `WEBHOOK_URL`: the default webhook, when the CSV's metadata names none.
    public var webhookURL: String?
    /// `WEBHOOK_SECRET`: the HMAC key of `X-PixelPipe-Signature`; never logged.
    public var webhookSecret: String?
    /// `WEBHOOK_ALLOW_NETWORKS`: private networks the webhook may reach (public only by default).
    public var webhookAddresses: AddressPolicy
    /// `IMAGE_RECIPE`: the default recipe; a job may override it with its CSV's `recipe` metadata.
    public var recipe: Recipe
    /// `MAX_OUTPUT_PIXELS`, `MAX_REQUEST_OUTPUT_PIXELS`: what any recipe may ask for, checked
    /// before an image is downloaded (ingest for a job's recipe, process for each task and request).
    public var outputBudget: OutputBudget
    /// CSV limits (`CSV_MAX_FILE_BYTES`, …).
    public var csvLimits: CSVLimits
    /// How output objects are linked in the output CSV and API answers.
    public var links: ObjectLinks

    /// Defaults for `project`; tests change what they need.
    public init(project: String, links: ObjectLinks = .publicStorage) {
        self.project = project
        location = "us-central1"
        uploadsBucket = "pixelpipe-uploads"
        processedBucket = "pixelpipe-processed"
        shardsTopic = "shards"
        controlQueue = "control"
        rowsPerShard = 500
        itemsPerShard = 1000
        jobDeadline = .seconds(3600)
        jobDeadlinePerItem = .seconds(1)
        imageQueue = ImageQueue()
        webhookAddresses = .publicOnly
        recipe = .default
        outputBudget = OutputBudget()
        csvLimits = CSVLimits()
        self.links = links
    }

    /// Reads the configuration; `GOOGLE_CLOUD_PROJECT` is required.
    public init(environment: EnvironmentValues) throws(ConfigurationError) {
        guard let project = environment.first(of: ["GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "GCP_PROJECT"]) else {
            throw .missing("GOOGLE_CLOUD_PROJECT")
        }
        self.init(project: project, links: try ObjectLinks(environment: environment))
        location = environment["CLOUD_TASKS_LOCATION"] ?? location
        uploadsBucket = environment["UPLOADS_BUCKET"] ?? uploadsBucket
        processedBucket = environment["PROCESSED_BUCKET"] ?? processedBucket
        // Output CSVs written into the uploads bucket would start new jobs without end.
        guard processedBucket != uploadsBucket else {
            throw .malformed("PROCESSED_BUCKET", value: processedBucket, expected: "a bucket other than UPLOADS_BUCKET")
        }
        shardsTopic = environment["SHARDS_TOPIC"] ?? shardsTopic
        controlQueue = environment["CONTROL_QUEUE"] ?? controlQueue
        processURL = environment["PIXELPIPE_PROCESS_URL"]
        teardownURL = environment["PIXELPIPE_TEARDOWN_URL"]
        tasksServiceAccount = environment["TASKS_SERVICE_ACCOUNT"]
        rowsPerShard = try environment.integer("SHARD_ROWS", default: rowsPerShard, in: 1...100_000)
        itemsPerShard = try environment.integer("SHARD_ITEMS", default: itemsPerShard, in: 1...100_000)
        jobDeadline = try environment.seconds("JOB_DEADLINE", default: jobDeadline)
        jobDeadlinePerItem = try environment.seconds("JOB_DEADLINE_PER_IMAGE", default: jobDeadlinePerItem)
        imageQueue.maxDispatchesPerSecond = Double(try environment.integer("IMAGE_QUEUE_RATE", default: Int(imageQueue.maxDispatchesPerSecond), in: 1...500))
        imageQueue.maxConcurrentDispatches = try environment.integer("IMAGE_QUEUE_CONCURRENCY", default: imageQueue.maxConcurrentDispatches, in: 1...5000)
        imageQueue.maxAttempts = try environment.integer("IMAGE_QUEUE_MAX_ATTEMPTS", default: imageQueue.maxAttempts, in: 1...100)
        imageQueue.minBackoff = try environment.seconds("IMAGE_QUEUE_MIN_BACKOFF", default: imageQueue.minBackoff)
        imageQueue.maxBackoff = try environment.seconds("IMAGE_QUEUE_MAX_BACKOFF", default: imageQueue.maxBackoff)
        imageQueue.maxRetryDuration = try environment.seconds("IMAGE_QUEUE_MAX_RETRY_DURATION", default: imageQueue.maxRetryDuration)
        webhookURL = environment["WEBHOOK_URL"]
        webhookSecret = environment["WEBHOOK_SECRET"]
        if let allowList = environment["WEBHOOK_ALLOW_NETWORKS"] {
            do {
                webhookAddresses = try AddressPolicy(allowList: allowList)
            } catch {
                throw .malformed("WEBHOOK_ALLOW_NETWORKS", value: allowList, expected: "comma-separated CIDRs such as 127.0.0.0/8,::1/128")
            }
        }
        recipe = try Recipe(environment: environment)
        outputBudget = try OutputBudget(environment: environment)
        do {
            try outputBudget.check(recipe)
        } catch {
            // Every job and request without a recipe of its own would fail; better not to start.
            throw .malformed("IMAGE_RECIPE", value: environment["IMAGE_RECIPE"] ?? "(the built-in recipe)", expected: "a recipe within the output budget (\(error))")
        }
        csvLimits = try CSVLimits(environment: environment)
    }

    /// How long after its creation a job of `items` items is first checked by its watchdog:
    /// `JOB_DEADLINE` plus `JOB_DEADLINE_PER_IMAGE` for each item.
    public func jobDeadline(forItems items: Int) -> Duration {
        jobDeadline + jobDeadlinePerItem * max(0, items)
    }

    /// `PIXELPIPE_PROCESS_URL`, or a configuration error naming it.
    public func requireProcessURL() throws(ConfigurationError) -> String {
        guard let processURL else { throw .missing("PIXELPIPE_PROCESS_URL") }
        return processURL
    }

    /// `PIXELPIPE_TEARDOWN_URL`, or a configuration error naming it.
    public func requireTeardownURL() throws(ConfigurationError) -> String {
        guard let teardownURL else { throw .missing("PIXELPIPE_TEARDOWN_URL") }
        return teardownURL
    }
}
