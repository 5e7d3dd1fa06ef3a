#!/usr/bin/env python3
"""Reads infra/pipeline.yaml for the deployment scripts.

Bash cannot parse YAML, and a hand-written parser of the emulator's file would drift from the
one the emulator uses (Yams), so the scripts ask PyYAML (Debian's python3-yaml) through this
helper instead. It prints plain values the scripts `eval`, every one quoted with shlex.

  topology.py shell PIPELINE [BUCKET_PREFIX]   shell assignments (see below)
  topology.py policy-has ROLE MEMBER           exit 0 when the IAM policy (JSON on stdin)
                                               binds MEMBER to ROLE

`shell` prints the pipeline's resources as bash arrays. Bucket names get BUCKET_PREFIX (bucket
names are global in Google Cloud, so `pixelpipe-uploads` alone would collide), and every env
value naming a bucket follows. Environment variables that only make sense on this machine
(LOCAL_ONLY_ENV: loopback allow-lists) are left out of the services' env and listed in
DROPPED_ENV, so a deployment never lets a stage reach private addresses.
"""

import json
import shlex
import sys

import yaml

# Local-only settings: they let demos and tests on one machine reach 127.0.0.1. In the cloud
# they would open the safe downloader and the webhook sender to private networks.
LOCAL_ONLY_ENV = ("DOWNLOAD_ALLOW_NETWORKS", "WEBHOOK_ALLOW_NETWORKS")


def text(value):
    """A YAML scalar as the string the emulator passes on (true/false, numbers as written)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def array(name, values):
    return "%s=(%s)" % (name, " ".join(shlex.quote(text(v)) for v in values))


def assoc(name, mapping):
    items = " ".join("[%s]=%s" % (shlex.quote(k), shlex.quote(text(v))) for k, v in mapping.items())
    return "declare -gA %s=(%s)" % (name, items)


def shell(path, prefix):
    with open(path, encoding="utf-8") as handle:
        pipeline = yaml.safe_load(handle) or {}
    buckets = {b["name"]: prefix + b["name"] for b in pipeline.get("buckets") or []}

    def environment(values):
        return {k: buckets.get(text(v), text(v)) for k, v in (values or {}).items()}

    shared = environment(pipeline.get("env"))
    lines = [
        "PIPELINE_PROJECT=%s" % shlex.quote(text(pipeline.get("project", ""))),
        "PIPELINE_LOCATION=%s" % shlex.quote(text(pipeline.get("location", "us-central1"))),
        array("BUCKETS", buckets.values()),
        assoc("PIPELINE_ENV", {k: v for k, v in shared.items() if k not in LOCAL_ONLY_ENV}),
    ]

    services = pipeline.get("services") or []
    dropped = []
    service_env = {}
    for service in services:
        merged = dict(shared)
        merged.update(environment(service.get("env")))
        for key in LOCAL_ONLY_ENV:
            if key in merged:
                dropped.append("%s:%s" % (service["name"], key))
                del merged[key]
        # One NAME=VALUE per line; values cannot hold newlines in a Cloud Run env var anyway.
        service_env[service["name"]] = "\n".join("%s=%s" % item for item in sorted(merged.items()))
    lines += [
        array("SERVICES", [s["name"] for s in services]),
        assoc("SERVICE_BINARY", {s["name"]: s.get("binary", s["name"]) for s in services}),
        assoc("SERVICE_ENV", service_env),
        array("DROPPED_ENV", dropped),
    ]

    triggers = pipeline.get("triggers") or []
    lines += [
        array("TRIGGER_NAMES", [t["name"] for t in triggers]),
        array("TRIGGER_BUCKETS", [buckets.get(t["bucket"], t["bucket"]) for t in triggers]),
        array("TRIGGER_EVENTS", [t.get("event", "google.cloud.storage.object.v1.finalized") for t in triggers]),
        array("TRIGGER_SERVICES", [t["service"] for t in triggers]),
        array("TRIGGER_PATHS", [t.get("path", "/") for t in triggers]),
        array("TRIGGER_NAME_FILTERS", [text(t.get("prefix")) + "*" + text(t.get("suffix")) for t in triggers]),
    ]

    lines.append(array("TOPICS", [t["name"] for t in pipeline.get("topics") or []]))

    subscriptions = pipeline.get("subscriptions") or []

    def field(items, *keys):
        values = []
        for item in items:
            value = item
            for key in keys:
                value = (value or {}).get(key)
            values.append(text(value))
        return values

    lines += [
        array("SUB_NAMES", field(subscriptions, "name")),
        array("SUB_TOPICS", field(subscriptions, "topic")),
        array("SUB_SERVICES", field(subscriptions, "push", "service")),
        array("SUB_PATHS", [text((s.get("push") or {}).get("path") or "/") for s in subscriptions]),
        array("SUB_ACK_DEADLINES", field(subscriptions, "ackDeadlineSeconds")),
        array("SUB_MIN_BACKOFFS", field(subscriptions, "retryPolicy", "minimumBackoff")),
        array("SUB_MAX_BACKOFFS", field(subscriptions, "retryPolicy", "maximumBackoff")),
        array("SUB_DEAD_LETTER_TOPICS", field(subscriptions, "deadLetterPolicy", "topic")),
        array("SUB_MAX_DELIVERY_ATTEMPTS", field(subscriptions, "deadLetterPolicy", "maxDeliveryAttempts")),
    ]

    queues = pipeline.get("queues") or []
    lines += [
        array("QUEUE_NAMES", field(queues, "name")),
        array("QUEUE_RATES", field(queues, "rateLimits", "maxDispatchesPerSecond")),
        array("QUEUE_CONCURRENCIES", field(queues, "rateLimits", "maxConcurrentDispatches")),
        array("QUEUE_MAX_ATTEMPTS", field(queues, "retryConfig", "maxAttempts")),
        array("QUEUE_MAX_RETRY_DURATIONS", field(queues, "retryConfig", "maxRetryDuration")),
        array("QUEUE_MIN_BACKOFFS", field(queues, "retryConfig", "minBackoff")),
        array("QUEUE_MAX_BACKOFFS", field(queues, "retryConfig", "maxBackoff")),
        array("QUEUE_MAX_DOUBLINGS", field(queues, "retryConfig", "maxDoublings")),
    ]
    print("\n".join(lines))


def policy_has(role, member):
    try:
        policy = json.loads(sys.stdin.read() or "{}") or {}
    except ValueError:
        # No policy could be read (the resource is missing): the grant is not there.
        return 1
    for binding in policy.get("bindings") or []:
        if binding.get("role") == role and member in (binding.get("members") or []) and not binding.get("condition"):
            return 0
    return 1


def main(argv):
    if len(argv) >= 2 and argv[0] == "shell":
        shell(argv[1], argv[2] if len(argv) > 2 else "")
        return 0
    if len(argv) == 3 and argv[0] == "policy-has":
        return policy_has(argv[1], argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
