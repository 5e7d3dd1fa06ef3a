import PixelPipeCore

/// Jittered exponential backoff for Google API calls: retried on 429, 5xx and connection
/// failures, never on other 4xx.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int = 5
    /// Backoff before the first retry.
    public var initialBackoff: Duration = .milliseconds(100)
    /// Largest backoff between attempts.
    public var maxBackoff: Duration = .seconds(10)
    /// Growth per retry.
    public var multiplier: Double = 2

    public init() {}

    /// No retries at all.
    public static var none: RetryPolicy {
        var policy = RetryPolicy()
        policy.maxAttempts = 1
        return policy
    }

    /// The wait before retry number `retry` (1-based): a uniformly random share of the
    /// exponential step ("full jitter"), so many callers failing together spread out.
    public func backoff(beforeRetry retry: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let exponential = Double(initialBackoff.milliseconds) * pow(multiplier, Double(retry - 1))
        let capped = min(exponential, Double(maxBackoff.milliseconds))
        return .milliseconds(Int64(capped * random))
    }
}

private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    for _ in 0..<Int(exponent) { result *= base }
    return result
}
