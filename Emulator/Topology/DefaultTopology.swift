/// The built-in topology, used when no pipeline file is given. A test keeps it identical to
/// `infra/pipeline.yaml`, which the deployment scripts read.
enum DefaultTopology {
    static let yaml = #"""
# PixelPipe's pipeline: the resources `emulator up` creates locally and the infra/ scripts
# create in Google Cloud. The emulator carries a copy of this file as its built-in default.
project: pixelpipe-local
location: us-central1

# Settings every stage reads (PipelineModel's PipelineConfiguration); a service's own env wins.
env:
  UPLOADS_BUCKET: pixelpipe-uploads
  PROCESSED_BUCKET: pixelpipe-processed
  SHARDS_TOPIC: shards
  CONTROL_QUEUE: control
  SHARD_ROWS: "500"
  JOB_DEADLINE: "3600"
  IMAGE_QUEUE_RATE: "200"
  IMAGE_QUEUE_CONCURRENCY: "16"
  IMAGE_QUEUE_MAX_ATTEMPTS: "5"
  # A transiently failing image is retried for 30 minutes (backoff up to 60 s) before it is
  # recorded as failed, so an image host's outage is waited out.
  IMAGE_QUEUE_MAX_RETRY_DURATION: "1800"

buckets:
  - name: pixelpipe-uploads
  - name: pixelpipe-processed

services:
  - name: ingest
  - name: populate
  - name: process
    env:
      # Local default only: lets demos and tests serve images from loopback.
      DOWNLOAD_ALLOW_NETWORKS: 127.0.0.0/8,::1/128
  - name: teardown
    env:
      # Local default only: lets a webhook receiver on this machine be called.
      WEBHOOK_ALLOW_NETWORKS: 127.0.0.0/8,::1/128
  # The jobs API (users' front door): streams uploads into the uploads bucket, reads jobs back.
  # Pinned so the CLI and curl find it at http://127.0.0.1:8086 (PIXELPIPE_API overrides).
  - name: api
    port: 8086

triggers:
  - name: csv-uploads
    bucket: pixelpipe-uploads
    event: google.cloud.storage.object.v1.finalized
    suffix: .csv
    service: ingest

topics:
  - name: shards
  - name: shards-dead-letter

subscriptions:
  - name: shards-populate
    topic: shards
    push:
      service: populate
      path: /
    ackDeadlineSeconds: 60
    retryPolicy:
      minimumBackoff: 1s
      maximumBackoff: 60s
    # 40 deliveries at up to 60 s apart: about 35 minutes before a shard is dead-lettered.
    deadLetterPolicy:
      topic: shards-dead-letter
      maxDeliveryAttempts: 40

queues:
  - name: control
    rateLimits:
      maxDispatchesPerSecond: 10
      maxConcurrentDispatches: 4
    retryConfig:
      maxAttempts: 20
      maxRetryDuration: 1800s
      minBackoff: 1s
      maxBackoff: 60s
      maxDoublings: 4
"""#
}
