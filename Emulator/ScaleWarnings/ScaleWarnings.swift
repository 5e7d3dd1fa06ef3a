import Foundation
import GoogleCloud
import Logging
import Synchronization

/// Usage that works locally but breaks at scale in Google Cloud, noticed as it happens: a
/// document written more than once a second sustained, a push endpoint slower than its ack
/// deadline. Each is logged at warning level the first time and once a minute after while it
/// lasts, and the most recent are kept for the dashboard. (A queue above 500 dispatches/s needs
/// no warning: Cloud Tasks refuses that configuration, and so does the emulator.)
final class ScaleWarnings: Sendable {
    /// Writes to one document within `window` that count as sustained (Firestore's soft limit
    /// is one per second; ten in ten seconds is that rate held, not a burst).
    static let sustainedWrites = 10
    static let window: Duration = .seconds(10)
    private static let relogInterval: Duration = .seconds(60)
    private static let kept = 20
    /// Past this many documents tracked, those not written within `window` are forgotten (on each
    /// commit while it stays above; see the note in docs/emulator.md on bulk imports).
    private static let trackedDocuments = 10_000

    private struct State {
        var writes: [String: [ContinuousClock.Instant]] = [:]
        var recent: [ScaleWarning] = []
        var lastLogged: [String: ContinuousClock.Instant] = [:]
    }

    private let state = Mutex(State())
    private let logger: Logger
    private let clock = ContinuousClock()

    init(logger: Logger = Logger(label: "emulator")) {
        self.logger = logger
    }

    /// The most recent warnings, newest first.
    var recent: [ScaleWarning] { state.withLock { $0.recent } }

    /// Records a committed write to each of `documents`.
    func documentsWritten(_ documents: some Sequence<String>) {
        let now = clock.now
        var raised: [String] = []
        state.withLock { state in
            for name in documents {
                var times = state.writes[name, default: []].filter { now - $0 < Self.window }
                times.append(now)
                if times.count >= Self.sustainedWrites { raised.append(name) }
                state.writes[name] = times.suffix(Self.sustainedWrites)
            }
            if state.writes.count > Self.trackedDocuments {
                state.writes = state.writes.filter { now - ($0.value.last ?? now) < Self.window }
            }
        }
        for name in raised {
            raise(.documentWriteRate, resource: name, message:
                "\(name) was written \(Self.sustainedWrites) times within \(Self.window.components.seconds) s; Firestore sustains about one write per second per document, so in Google Cloud these writes would contend and fail with ABORTED or be throttled. Spread them over several documents (sharded counters).")
        }
    }

    /// Records a push to `subscription`'s endpoint that took `elapsed`, against its ack deadline.
    func pushAnswered(subscription: String, endpoint: String, elapsed: Duration, ackDeadline: Duration) {
        guard elapsed >= ackDeadline else { return }
        raise(.pushSlowerThanAckDeadline, resource: subscription, message:
            "The push endpoint \(endpoint) of \(subscription) took longer than the ack deadline of \(ackDeadline.components.seconds) s; Pub/Sub treats that as a nack and redelivers, so a slow endpoint receives every message again. Answer sooner or raise ackDeadlineSeconds.")
    }

    private func raise(_ kind: ScaleWarning.Kind, resource: String, message: String) {
        let now = clock.now
        let key = "\(kind.rawValue) \(resource)"
        let log = state.withLock { state -> Bool in
            let at = GoogleTimestamp.now().rfc3339
            if let index = state.recent.firstIndex(where: { $0.kind == kind && $0.resource == resource }) {
                var warning = state.recent.remove(at: index)
                warning.count += 1
                warning.at = at
                warning.message = message
                state.recent.insert(warning, at: 0)
            } else {
                state.recent.insert(ScaleWarning(kind: kind, resource: resource, message: message, at: at, count: 1), at: 0)
                state.recent = Array(state.recent.prefix(Self.kept))
            }
            if let last = state.lastLogged[key], now - last < Self.relogInterval { return false }
            state.lastLogged[key] = now
            return true
        }
        if log {
            logger.warning("works locally, breaks at scale: \(message)", metadata: [
                "pixelpipe.event": "scale-warning", "pixelpipe.warning": .string(kind.rawValue), "pixelpipe.resource": .string(resource),
            ])
        }
    }
}
