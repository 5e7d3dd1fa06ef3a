import Foundation
import GoogleCloud
import PixelPipeCore

/// A Cloud Tasks queue as the REST API shows it, with Cloud Tasks' defaults filled in.
struct TasksQueue: Codable, Sendable {
    var name: String?
    var rateLimits: RateLimits?
    var retryConfig: RetryConfig?
    var state: State?
    var purgeTime: GoogleTimestamp?
    var stackdriverLoggingConfig: JSONValue?
    var appEngineRoutingOverride: JSONValue?
    var httpTarget: JSONValue?

    /// Dispatch rate limits (token bucket and concurrency).
    struct RateLimits: Codable, Sendable {
        var maxDispatchesPerSecond: Double?
        var maxBurstSize: Int?
        var maxConcurrentDispatches: Int?
    }

    /// How failed attempts are retried.
    struct RetryConfig: Codable, Sendable {
        var maxAttempts: Int?
        var maxRetryDuration: GoogleDuration?
        var minBackoff: GoogleDuration?
        var maxBackoff: GoogleDuration?
        var maxDoublings: Int?
    }

    /// `google.cloud.tasks.v2.Queue.State`.
    enum State: String, ProtoEnum {
        case unspecified = "STATE_UNSPECIFIED", running = "RUNNING", paused = "PAUSED", disabled = "DISABLED"
        var number: Int {
            switch self {
            case .unspecified: 0
            case .running: 1
            case .paused: 2
            case .disabled: 3
            }
        }
    }

    /// This queue with every unset limit at Cloud Tasks' default; throws naming an invalid one.
    func withDefaults() throws -> TasksQueue {
        var queue = self
        var rate = rateLimits ?? RateLimits()
        let perSecond = rate.maxDispatchesPerSecond ?? 0
        guard perSecond >= 0, perSecond <= 500 else {
            throw GoogleAPIError.invalidArgument("rateLimits.maxDispatchesPerSecond must be between 0 and 500 (got \(perSecond)).")
        }
        rate.maxDispatchesPerSecond = perSecond == 0 ? 500 : perSecond
        // Output only in Cloud Tasks, which picks it from the rate; 100 as for the default rate.
        if (rate.maxBurstSize ?? 0) <= 0 { rate.maxBurstSize = 100 }
        let concurrent = rate.maxConcurrentDispatches ?? 0
        guard concurrent >= 0, concurrent <= 5000 else {
            throw GoogleAPIError.invalidArgument("rateLimits.maxConcurrentDispatches must be between 1 and 5000 (got \(concurrent)).")
        }
        rate.maxConcurrentDispatches = concurrent == 0 ? 1000 : concurrent
        queue.rateLimits = rate

        var retry = retryConfig ?? RetryConfig()
        let attempts = retry.maxAttempts ?? 0
        guard attempts >= -1 else { throw GoogleAPIError.invalidArgument("retryConfig.maxAttempts must be -1 (unlimited) or more (got \(attempts)).") }
        retry.maxAttempts = attempts == 0 ? 100 : attempts
        if retry.minBackoff == nil || retry.minBackoff?.nanoseconds == 0 { retry.minBackoff = .milliseconds(100) }
        if retry.maxBackoff == nil || retry.maxBackoff?.nanoseconds == 0 { retry.maxBackoff = .seconds(3600) }
        if retry.maxRetryDuration?.nanoseconds == 0 { retry.maxRetryDuration = nil }
        let doublings = retry.maxDoublings ?? 0
        guard doublings >= 0 else { throw GoogleAPIError.invalidArgument("retryConfig.maxDoublings must not be negative (got \(doublings)).") }
        retry.maxDoublings = doublings == 0 ? 16 : doublings
        if let minimum = retry.minBackoff, let maximum = retry.maxBackoff, minimum.nanoseconds > maximum.nanoseconds {
            throw GoogleAPIError.invalidArgument("retryConfig.minBackoff (\(minimum.text)) must not exceed retryConfig.maxBackoff (\(maximum.text)).")
        }
        queue.retryConfig = retry
        if queue.state == nil || queue.state == .unspecified { queue.state = .running }
        return queue
    }
}

/// A task as the REST API shows it.
struct TasksTask: Codable, Sendable {
    var name: String?
    var httpRequest: HTTPRequestTarget?
    var appEngineHttpRequest: JSONValue?
    var scheduleTime: GoogleTimestamp?
    var createTime: GoogleTimestamp?
    var dispatchDeadline: GoogleDuration?
    var dispatchCount: Int?
    var responseCount: Int?
    var firstAttempt: JSONValue?
    var lastAttempt: JSONValue?
    var view: View?

    /// The HTTP request the task will make.
    struct HTTPRequestTarget: Codable, Sendable {
        var url: String?
        var httpMethod: HTTPMethod?
        var headers: [String: String]?
        /// Base64, as protobuf JSON carries bytes.
        var body: String?
        var oidcToken: OIDCToken?
        var oauthToken: JSONValue?
    }

    /// `google.cloud.tasks.v2.HttpMethod`.
    enum HTTPMethod: String, ProtoEnum {
        case unspecified = "HTTP_METHOD_UNSPECIFIED", post = "POST", get = "GET", head = "HEAD", put = "PUT"
        case delete = "DELETE", patch = "PATCH", options = "OPTIONS"
        var number: Int {
            switch self {
            case .unspecified: 0
            case .post: 1
            case .get: 2
            case .head: 3
            case .put: 4
            case .delete: 5
            case .patch: 6
            case .options: 7
            }
        }
    }

    /// `google.cloud.tasks.v2.Task.View`: BASIC leaves out the request body.
    enum View: String, ProtoEnum {
        case unspecified = "VIEW_UNSPECIFIED", basic = "BASIC", full = "FULL"
        var number: Int {
            switch self {
            case .unspecified: 0
            case .basic: 1
            case .full: 2
            }
        }
    }
}

/// `POST …/queues/Q/tasks/T:run` body.
struct RunTaskRequest: Decodable, Sendable {
    var responseView: TasksTask.View?
}

/// `POST …/queues/Q/tasks` body.
struct CreateTaskRequest: Decodable, Sendable {
    var task: TasksTask
    var responseView: TasksTask.View?
}
