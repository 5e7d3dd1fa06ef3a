import GoogleCloud
import PipelineModel

/// Job resources for the rendering tests.
enum SampleJob {
    static func make(
        _ status: JobResource.Status, total: Int = 20, succeeded: Int = 0, failed: Int = 0, missing: Int = 0, cancelled: Int = 0,
        rate: Double? = nil, eta: Int? = nil, name: String = "products.csv", finishedAt: String? = nil, error: String? = nil
    ) -> JobResource {
        let recorded = succeeded + failed
        return JobResource(
            id: "0123456789abcdef", status: status, source: .init(uri: "gs://up/\(name)#1", name: name),
            counts: .init(total: total, succeeded: succeeded, failed: failed, remaining: status.isFinal ? missing : total - recorded, missing: missing, cancelled: cancelled),
            progress: total == 0 ? (status.isFinal ? 1 : 0) : Double(recorded) / Double(total), ratePerSecond: rate, etaSeconds: eta,
            recipe: .object([:]), createdAt: "2026-11-26T04:00:00.000Z", startedAt: "2026-11-26T04:00:00.000Z", finishedAt: finishedAt, error: error
        )
    }
}
