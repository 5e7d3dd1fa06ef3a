import Foundation

/// A Cloud Tasks queue (the fields PixelPipe sets and reads).
public struct CloudTasksQueue: Codable, Sendable, Equatable {
    public struct RateLimits: Codable, Sendable, Equatable {
        public var maxDispatchesPerSecond: Double?
        public var maxBurstSize: Int?
        public var maxConcurrentDispatches: Int?
        public init(maxDispatchesPerSecond: Double? = nil, maxBurstSize: Int? = nil, maxConcurrentDispatches: Int? = nil) {
            self.maxDispatchesPerSecond = maxDispatchesPerSecond
            self.maxBurstSize = maxBurstSize
            self.maxConcurrentDispatches = maxConcurrentDispatches
        }
    }

    public struct RetryConfig: Codable, Sendable, Equatable {
        public var maxAttempts: Int?
        /// Durations as Google writes them, e.g. `"3600s"`.
        public var maxRetryDuration: String?
        public var minBackoff: String?
        public var maxBackoff: String?
        public var maxDoublings: Int?
        public init(maxAttempts: Int? = nil, maxRetryDuration: String? = nil, minBackoff: String? = nil, maxBackoff: String? = nil, maxDoublings: Int? = nil) {
            self.maxAttempts = maxAttempts
            self.maxRetryDuration = maxRetryDuration
            self.minBackoff = minBackoff
            self.maxBackoff = maxBackoff
            self.maxDoublings = maxDoublings
        }
    }

    /// Full name, `projects/P/locations/L/queues/Q`.
    public var name: String
    public var rateLimits: RateLimits?
    public var retryConfig: RetryConfig?
    /// `RUNNING`, `PAUSED` or `DISABLED`.
    public var state: String?

    public init(name: String, rateLimits: RateLimits? = nil, retryConfig: RetryConfig? = nil) {
        self.name = name
        self.rateLimits = rateLimits
        self.retryConfig = retryConfig
    }

    private enum CodingKeys: String, CodingKey { case name, rateLimits, retryConfig, state }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        rateLimits = try container.decodeIfPresent(RateLimits.self, forKey: .rateLimits)
        retryConfig = try container.decodeIfPresent(RetryConfig.self, forKey: .retryConfig)
        // Enums may arrive as names or as numbers (`enum-encoding=int`).
        if let number = try? container.decodeIfPresent(Int.self, forKey: .state) {
            state = [1: "RUNNING", 2: "PAUSED", 3: "DISABLED"][number] ?? "STATE_UNSPECIFIED"
        } else {
            state = try container.decodeIfPresent(String.self, forKey: .state)
        }
    }
}

/// A Cloud Tasks HTTP task.
public struct CloudTask: Codable, Sendable, Equatable {
    public struct HTTPRequest: Codable, Sendable, Equatable {
        public struct OIDCToken: Codable, Sendable, Equatable {
            public var serviceAccountEmail: String
            public var audience: String?
            public init(serviceAccountEmail: String, audience: String? = nil) {
                self.serviceAccountEmail = serviceAccountEmail
                self.audience = audience
            }
        }
        public var url: String
        /// `POST`, `GET`, … (numbers on the wire are accepted when decoding).
        public var httpMethod: String?
        public var headers: [String: String]?
        /// The body, base64 on the wire.
        public var body: Data?
        public var oidcToken: OIDCToken?

        public init(url: String, httpMethod: String? = "POST", headers: [String: String]? = nil, body: Data? = nil, oidcToken: OIDCToken? = nil) {
            self.url = url
            self.httpMethod = httpMethod
            self.headers = headers
            self.body = body
            self.oidcToken = oidcToken
        }

        private enum CodingKeys: String, CodingKey { case url, httpMethod, headers, body, oidcToken }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            url = try container.decode(String.self, forKey: .url)
            headers = try container.decodeIfPresent([String: String].self, forKey: .headers)
            body = try container.decodeIfPresent(Data.self, forKey: .body)
            oidcToken = try container.decodeIfPresent(OIDCToken.self, forKey: .oidcToken)
            if let number = try? container.decodeIfPresent(Int.self, forKey: .httpMethod) {
                httpMethod = [1: "POST", 2: "GET", 3: "HEAD", 4: "PUT", 5: "DELETE", 6: "PATCH", 7: "OPTIONS"][number]
            } else {
                httpMethod = try container.decodeIfPresent(String.self, forKey: .httpMethod)
            }
        }
    }

    /// Full name, `projects/P/locations/L/queues/Q/tasks/T`; nil lets the server pick one.
    public var name: String?
    public var httpRequest: HTTPRequest
    /// RFC 3339; nil dispatches now.
    public var scheduleTime: String?
    /// e.g. `"600s"`.
    public var dispatchDeadline: String?
    public var dispatchCount: Int?
    public var responseCount: Int?
    public var createTime: String?
    /// The task's first attempt; Cloud Tasks keeps only its `dispatchTime`, the start of the
    /// queue's `maxRetryDuration`.
    public var firstAttempt: Attempt?

    /// One attempt of a task (`google.cloud.tasks.v2.Attempt`), times in RFC 3339.
    public struct Attempt: Codable, Sendable, Equatable {
        public var scheduleTime: String?
        public var dispatchTime: String?
        public var responseTime: String?

        public init(scheduleTime: String? = nil, dispatchTime: String? = nil, responseTime: String? = nil) {
            self.scheduleTime = scheduleTime
            self.dispatchTime = dispatchTime
            self.responseTime = responseTime
        }
    }

    public init(name: String? = nil, httpRequest: HTTPRequest, scheduleTime: String? = nil, dispatchDeadline: String? = nil) {
        self.name = name
        self.httpRequest = httpRequest
        self.scheduleTime = scheduleTime
        self.dispatchDeadline = dispatchDeadline
    }
}
