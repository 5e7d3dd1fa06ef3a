import Foundation
import PipelineModel
import TestSupport

/// Everything an end-to-end test talks to: the emulator running the real stage binaries, the
/// image server the pipeline downloads from, and the webhook receiver teardown calls.
struct PipelineHarness: Sendable {
    /// The webhook secret the stages sign with (`WEBHOOK_SECRET`).
    static let webhookSecret = "e2e-webhook-secret"

    /// The recipe the tests run (`IMAGE_RECIPE`): two small sizes in two formats, so every image
    /// makes four outputs quickly.
    static let recipe = #"{"sizes":[{"name":"small","width":64},{"name":"medium","width":160}],"formats":["jpeg","webp"]}"#
    /// The recipe's sizes by name, with the width an image of `TestImages.width` gets.
    static let sizes = ["small": 64, "medium": 160]
    static let formats = ["jpeg": "image/jpeg", "webp": "image/webp"]

    /// `CSV_MAX_FILE_BYTES` for the tests: well above every test CSV but the oversized one.
    static let csvLimit = 64 << 10

    /// The settings the tests run with; a test's own settings win.
    static func environment(webhookURL: String, overrides: [String: String]) -> [String: String] {
        var environment = [
            "IMAGE_RECIPE": recipe,
            "IMAGE_QUEUE_MIN_BACKOFF": "0.1",
            "IMAGE_QUEUE_MAX_BACKOFF": "0.5",
            "IMAGE_QUEUE_MAX_ATTEMPTS": "5",
            "SHARD_ROWS": "20",
            "CSV_MAX_FILE_BYTES": String(csvLimit),
            "JOB_DEADLINE": "600",
            "WEBHOOK_URL": webhookURL,
            "WEBHOOK_SECRET": webhookSecret,
        ]
        environment.merge(overrides) { _, new in new }
        return environment
    }

    let emulator: PipelineEmulator
    let images: ImageServer
    let webhooks: RecordingServer
    /// The receiver's base URL; each CSV names `WEBHOOK/hooks/OBJECT` as its webhook.
    let webhookBaseURL: String

    var clients: PipelineClients { emulator.clients }
    var configuration: PipelineConfiguration { emulator.configuration }
}

/// Runs `body` against a fresh pipeline (emulator, stages, image server, webhook receiver),
/// with `environment` added to the test settings; stops everything afterwards.
func withPipeline<T: Sendable>(environment: [String: String] = [:], _ body: @Sendable (PipelineHarness) async throws -> T) async throws -> T {
    let webhooks = RecordingServer()
    return try await webhooks.run(respond: { _, _ in (200, "{}", [:]) }) { webhookPort in
        try await ImageServer.withServer { images in
            let webhookBaseURL = "http://127.0.0.1:\(webhookPort)"
            let settings = PipelineHarness.environment(webhookURL: webhookBaseURL + "/hooks/default", overrides: environment)
            return try await withPipelineEmulator(environment: settings) { emulator in
                try await body(PipelineHarness(emulator: emulator, images: images, webhooks: webhooks, webhookBaseURL: webhookBaseURL))
            }
        }
    }
}
