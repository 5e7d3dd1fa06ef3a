import Foundation
import GoogleCloud
import Logging
import PipelineModel
import PixelPipeCore

/// Sends a job's summary to its webhook: `POST` with `Content-Type: application/json`,
/// `X-PixelPipe-Signature: sha256=<hex HMAC-SHA256 of the body>` (always: teardown does not
/// start without `WEBHOOK_SECRET`),
/// `Idempotency-Key: JOB` (one key per job, so a receiver can drop a repeat the pipeline could
/// not rule out), `X-PixelPipe-Job` and the job's `traceparent`. Only the addresses `WEBHOOK_ALLOW_NETWORKS` allows are
/// reached; no redirects are followed. The secret is never logged.
struct WebhookSender: Sendable {
    private let http: HTTPClient
    private let secret: String

    init(addresses: AddressPolicy, timeout: Duration, secret: String) {
        var configuration = HTTPClient.Configuration()
        configuration.addressPolicy = addresses
        configuration.timeout = timeout
        configuration.connectTimeout = min(timeout, .seconds(5))
        configuration.maxResponseBytes = 64 << 10
        configuration.maxRedirects = 0
        http = HTTPClient(configuration: configuration)
        self.secret = secret
    }

    /// Delivers `body` for `job`; throws `TeardownError.webhookRejected` for a non-2xx answer and
    /// `.webhookUnreachable` when no answer could be had.
    func send(_ body: Data, job: JobID, to url: String, logger: Logger) async throws {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("Idempotency-Key", job.rawValue),
            ("X-PixelPipe-Job", job.rawValue),
        ]
        headers.append((WebhookSignature.header, WebhookSignature.sign(body, secret: secret)))
        // The job's trace, so a receiver that traces can join it.
        if let trace = TraceParent.current { headers.append(("traceparent", trace.header)) }
        let response: HTTPClient.Response
        do {
            response = try await http.execute(.init(method: "POST", url: url, headers: headers, body: body))
        } catch let error as HTTPClientError {
            throw TeardownError.webhookUnreachable(job: job, reason: error.description, transient: error.isTransient)
        }
        logger.debug("webhook answered", metadata: ["pixelpipe.job": .string(job.rawValue), "pixelpipe.status": .stringConvertible(response.status)])
        guard (200..<300).contains(response.status) else {
            throw TeardownError.webhookRejected(job: job, status: response.status)
        }
    }
}
