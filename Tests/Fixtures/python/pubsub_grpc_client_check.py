"""Drives the emulator's Pub/Sub gRPC API with Google's own Python client.

Usage: python3 pubsub_grpc_client_check.py 127.0.0.1:PORT

google-cloud-pubsub with its default gRPC transport, pointed at the emulator the documented way
(PUBSUB_EMULATOR_HOST): topics and subscriptions created, updated, listed, read and deleted;
1,000 messages published with ordering keys and all received in order per key through
`subscribe()` (StreamingPull, acks by unary Acknowledge as the client sends them); a nack and
its redelivery; a publish to a missing topic, a streaming pull of a missing subscription and an
oversized publish refused at once. Every call has a short timeout and the whole script a
watchdog, so a regression fails in seconds, not after the client's ten-minute retries.
Prints one `ok <check>: …` line per check and `ALL OK` last; exits non-zero at the first surprise.
"""

import collections
import os
import sys
import threading
import time

os.environ["PUBSUB_EMULATOR_HOST"] = sys.argv[1]

from google.api_core import exceptions  # noqa: E402
from google.cloud import pubsub_v1  # noqa: E402
from google.cloud.pubsub_v1.types import PublisherOptions  # noqa: E402
from google.protobuf import timestamp_pb2  # noqa: E402

TIMEOUT = 10
PROJECT = "demo"
KEYS = ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"]
COUNT = 1000


def watchdog():
    time.sleep(90)
    print("FAIL watchdog: the script ran for more than 90 s", flush=True)
    os._exit(3)


threading.Thread(target=watchdog, daemon=True).start()


def check(label, actual, expected):
    if actual != expected:
        print(f"FAIL {label}: got {actual!r}, expected {expected!r}", flush=True)
        sys.exit(1)
    print(f"ok {label}: {actual}", flush=True)


def expect_error(label, error_type, call, within=5.0):
    started = time.monotonic()
    try:
        call()
    except error_type as error:
        elapsed = time.monotonic() - started
        if elapsed > within:
            print(f"FAIL {label}: {error_type.__name__} after {elapsed:.1f} s", flush=True)
            sys.exit(1)
        print(f"ok {label}: {error_type.__name__} in {elapsed:.2f} s ({str(error)[:100]})", flush=True)
        return
    print(f"FAIL {label}: no {error_type.__name__}", flush=True)
    sys.exit(1)


publisher = pubsub_v1.PublisherClient(publisher_options=PublisherOptions(enable_message_ordering=True))
subscriber = pubsub_v1.SubscriberClient()
topic = publisher.topic_path(PROJECT, "grpc-orders")
ordered = subscriber.subscription_path(PROJECT, "grpc-orders-ordered")
plain = subscriber.subscription_path(PROJECT, "grpc-orders-plain")

# Administration.
check("create_topic", publisher.create_topic(name=topic, timeout=TIMEOUT).name, topic)
created = subscriber.create_subscription(
    request={"name": ordered, "topic": topic, "enable_message_ordering": True, "ack_deadline_seconds": 20}, timeout=TIMEOUT)
check("create_subscription ordered", (created.name, created.enable_message_ordering, created.ack_deadline_seconds), (ordered, True, 20))
subscriber.create_subscription(request={"name": plain, "topic": topic}, timeout=TIMEOUT)
updated = publisher.update_topic(
    request={"topic": {"name": topic, "labels": {"env": "test"}}, "update_mask": {"paths": ["labels"]}}, timeout=TIMEOUT)
check("update_topic labels", dict(updated.labels), {"env": "test"})
check("get_topic", dict(publisher.get_topic(topic=topic, timeout=TIMEOUT).labels), {"env": "test"})
updated = subscriber.update_subscription(
    request={"subscription": {"name": plain, "ack_deadline_seconds": 30}, "update_mask": {"paths": ["ack_deadline_seconds"]}}, timeout=TIMEOUT)
check("update_subscription ack_deadline_seconds", updated.ack_deadline_seconds, 30)
check("get_subscription", subscriber.get_subscription(subscription=plain, timeout=TIMEOUT).ack_deadline_seconds, 30)
check("list_topics", topic in [t.name for t in publisher.list_topics(request={"project": f"projects/{PROJECT}"}, timeout=TIMEOUT)], True)
check("list_topic_subscriptions", sorted(publisher.list_topic_subscriptions(request={"topic": topic}, timeout=TIMEOUT)), sorted([ordered, plain]))
check("list_subscriptions", sorted(s.name for s in subscriber.list_subscriptions(request={"project": f"projects/{PROJECT}"}, timeout=TIMEOUT)),
      sorted([ordered, plain]))

# Errors fail at once with Google's codes, not after retries.
missing_topic = publisher.topic_path(PROJECT, "no-such-topic")
expect_error("publish to a missing topic", exceptions.NotFound, lambda: publisher.publish(missing_topic, b"x").result(timeout=TIMEOUT))
expect_error("publish of 1,001 messages", exceptions.InvalidArgument,
             lambda: publisher.api.publish(topic=topic, messages=[{"data": b"x"}] * 1001, timeout=TIMEOUT))
missing_subscription = subscriber.subscription_path(PROJECT, "no-such-subscription")
expect_error("streaming pull of a missing subscription", exceptions.NotFound,
             lambda: subscriber.subscribe(missing_subscription, lambda message: message.ack()).result(timeout=TIMEOUT))

# 1,000 messages with ordering keys; the plain subscription takes them too and is drained later.
started = time.monotonic()
futures = [publisher.publish(topic, f"{KEYS[i % len(KEYS)]}:{i}".encode(), ordering_key=KEYS[i % len(KEYS)], seq=str(i))
           for i in range(COUNT)]
ids = [future.result(timeout=TIMEOUT) for future in futures]
check("publish 1000 with ordering keys", (len(ids), len(set(ids))), (COUNT, COUNT))
print(f"   published in {time.monotonic() - started:.2f} s", flush=True)

received = collections.defaultdict(list)
lock = threading.Lock()
done = threading.Event()


def on_ordered(message):
    key = message.ordering_key
    seq = int(message.attributes["seq"])
    with lock:
        received[key].append(seq)
        if sum(len(set(v)) for v in received.values()) >= COUNT:
            done.set()
    message.ack()


started = time.monotonic()
future = subscriber.subscribe(ordered, on_ordered)
finished = done.wait(timeout=45)
future.cancel()
try:
    future.result(timeout=TIMEOUT)
except Exception:  # the future of a cancelled stream may report the cancellation
    pass
with lock:
    distinct = sum(len(set(v)) for v in received.values())
    duplicates = sum(len(v) for v in received.values()) - distinct
    in_order = all([s for i, s in enumerate(v) if s not in v[:i]] == sorted(set(v)) for v in received.values())
check("streaming pull received all 1000", (finished, distinct), (True, COUNT))
check("per-key publish order", in_order, True)
check("keys", sorted(received), KEYS)
print(f"   received in {time.monotonic() - started:.2f} s, {duplicates} redelivered", flush=True)

# A nack brings the message back at once on the plain subscription (drained of the 1,000 first).
subscriber.seek(request={"subscription": plain, "time": timestamp_pb2.Timestamp(seconds=int(time.time()) + 1)}, timeout=TIMEOUT)
time.sleep(1.1)
publisher.publish(topic, b"nack-me", ordering_key="").result(timeout=TIMEOUT)
deliveries = []
redelivered = threading.Event()


def on_plain(message):
    deliveries.append(message.data)
    if len(deliveries) == 1:
        message.nack()
    else:
        message.ack()
        redelivered.set()


started = time.monotonic()
future = subscriber.subscribe(plain, on_plain)
got = redelivered.wait(timeout=15)
future.cancel()
try:
    future.result(timeout=TIMEOUT)
except Exception:
    pass
check("nack leads to redelivery", (got, deliveries[:2]), (True, [b"nack-me", b"nack-me"]))
print(f"   redelivered in {time.monotonic() - started:.2f} s", flush=True)

# Deletion.
subscriber.delete_subscription(subscription=plain, timeout=TIMEOUT)
subscriber.delete_subscription(subscription=ordered, timeout=TIMEOUT)
publisher.delete_topic(topic=topic, timeout=TIMEOUT)
expect_error("get_topic after delete_topic", exceptions.NotFound, lambda: publisher.get_topic(topic=topic, timeout=TIMEOUT))
expect_error("get_subscription after delete", exceptions.NotFound, lambda: subscriber.get_subscription(subscription=plain, timeout=TIMEOUT))

publisher.stop()
subscriber.close()
print("ALL OK", flush=True)
