import Metrics
import PipelineModel
import Prometheus

/// Prometheus metrics for `/metrics`: swift-metrics counters recorded as things happen (API
/// requests through Hummingbird's middleware, deliveries), plus gauges set from a fresh
/// dashboard snapshot at every scrape.
final class EmulatorMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// Makes swift-metrics record into this registry; call once per process.
    func bootstrap() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    /// The exposition text, with gauges from `snapshot`.
    func exposition(_ snapshot: DashboardSnapshot) -> String {
        for queue in snapshot.queues {
            registry.makeGauge(name: "pixelpipe_emulator_queue_tasks", labels: [("queue", queue.name)]).set(to: Double(queue.tasks))
            registry.makeGauge(name: "pixelpipe_emulator_queue_in_flight_tasks", labels: [("queue", queue.name)]).set(to: Double(queue.inFlight))
            registry.makeGauge(name: "pixelpipe_emulator_queue_retrying_tasks", labels: [("queue", queue.name)]).set(to: Double(queue.retrying))
            registry.makeGauge(name: "pixelpipe_emulator_queue_failed_tasks", labels: [("queue", queue.name)]).set(to: Double(queue.failed))
        }
        for subscription in snapshot.subscriptions {
            registry.makeGauge(name: "pixelpipe_emulator_subscription_backlog", labels: [("subscription", subscription.name)]).set(to: Double(subscription.backlog))
            registry.makeGauge(name: "pixelpipe_emulator_subscription_dead_lettered", labels: [("subscription", subscription.name)]).set(to: Double(subscription.deadLettered))
        }
        for job in snapshot.jobs {
            registry.makeGauge(name: "pixelpipe_emulator_job_progress_ratio", labels: [("job", job.id)]).set(to: job.progress)
        }
        registry.makeGauge(name: "pixelpipe_emulator_storage_events_pending").set(to: Double(snapshot.pendingTriggerEvents))
        registry.makeGauge(name: "pixelpipe_emulator_deliveries_paused").set(to: snapshot.disk == nil ? 0 : 1)
        for service in snapshot.services {
            registry.makeGauge(name: "pixelpipe_emulator_service_restarts", labels: [("service", service.name)]).set(to: Double(service.restarts))
        }
        return registry.emitToString()
    }
}
