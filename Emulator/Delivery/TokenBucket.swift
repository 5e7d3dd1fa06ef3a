/// A token bucket: `ratePerSecond` tokens accrue continuously up to `burst`; each dispatch takes
/// one. This is how Cloud Tasks applies `maxDispatchesPerSecond` and `maxBurstSize`.
struct TokenBucket: Sendable {
    let ratePerSecond: Double
    let burst: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    /// A full bucket at `now`.
    init(ratePerSecond: Double, burst: Int, now: ContinuousClock.Instant) {
        self.ratePerSecond = max(ratePerSecond, 0.001)
        self.burst = Double(max(burst, 1))
        self.tokens = self.burst
        self.updated = now
    }

    /// Takes a token and returns nil, or returns how long until one is available.
    mutating func take(now: ContinuousClock.Instant) -> Duration? {
        refill(now: now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        let seconds = (1 - tokens) / ratePerSecond
        return .microseconds(Int64((seconds * 1_000_000).rounded(.up)))
    }

    private mutating func refill(now: ContinuousClock.Instant) {
        guard now > updated else { return }
        let elapsed = now - updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(burst, tokens + seconds * ratePerSecond)
        updated = now
    }
}
