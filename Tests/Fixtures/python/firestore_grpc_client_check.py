"""Drives the emulator's Firestore gRPC service with Google's own Python client.

Usage: python3 firestore_grpc_client_check.py 127.0.0.1:PORT

Uses google-cloud-firestore's high-level client with its DEFAULT transport, gRPC, pointed at
the emulator by FIRESTORE_EMULATOR_HOST as a developer would: set/update with transforms,
every value kind read back, a transaction under contention (two threads incrementing one
counter; a forced conflict must be ABORTED and retried), queries (==, <, in, array_contains,
order_by, limit, start_after/end_before), a collection group, aggregations (count, sum, avg),
batch get, list_documents, collections, on_snapshot (Listen), batch_write, create/delete, and errors that must come
back at once (a bad project, an unimplemented method). The checks mirror
firestore_rest_client_check.py, which does the same over REST.

Every call has a short timeout and the whole script is bounded, so a regression fails in
seconds instead of retrying for minutes. Prints `ok <check>: …` per check and `ALL OK` last;
exits non-zero at the first surprise.
"""

import datetime
import faulthandler
import math
import os
import queue
import sys
import threading
import time

faulthandler.dump_traceback_later(60, exit=True)
os.environ["FIRESTORE_EMULATOR_HOST"] = sys.argv[1]

from google.api_core import exceptions  # noqa: E402
from google.cloud import firestore  # noqa: E402
from google.cloud.firestore_v1.base_query import FieldFilter  # noqa: E402

T = 10  # seconds, every call
PROJECT = "demo"
DATABASE = f"projects/{PROJECT}/databases/(default)"
ROOT = DATABASE + "/documents"


def check(label, actual, expected):
    if actual != expected:
        print(f"FAIL {label}: got {actual!r}, expected {expected!r}", flush=True)
        sys.exit(1)
    print(f"ok {label}: {actual}", flush=True)


def ids(snapshots):
    return [snapshot.id for snapshot in snapshots]


def main():
    client = firestore.Client(project=PROJECT)
    check("transport", type(client._firestore_api._transport).__name__, "FirestoreGrpcTransport")

    # Writes with transforms, read back.
    doc = client.collection("profiles").document("ada")
    doc.set({"name": "Ada", "visits": 1, "tags": ["a", "b"], "gone": "soon", "created": firestore.SERVER_TIMESTAMP}, timeout=T)
    doc.update({
        "visits": firestore.Increment(41),
        "tags": firestore.ArrayUnion(["c", "a"]),
        "gone": firestore.DELETE_FIELD,
        "seen": firestore.SERVER_TIMESTAMP,
    }, timeout=T)
    doc.update({"tags": firestore.ArrayRemove(["b"])}, timeout=T)
    data = doc.get(timeout=T).to_dict()
    check("set/update with transforms", (data["name"], data["visits"], data["tags"], "gone" in data,
                                         isinstance(data["created"], datetime.datetime), data["seen"] >= data["created"]),
          ("Ada", 42, ["a", "c"], False, True, True))

    # Every value kind, written and read back over gRPC.
    when = datetime.datetime(2026, 11, 26, 12, 30, 15, 123456, tzinfo=datetime.timezone.utc)
    values = {
        "null": None, "true": True, "false": False, "int": 2**53 + 1, "negative": -7, "zero": 0,
        "double": 1.5, "whole": 2.0, "inf": math.inf, "ninf": -math.inf, "string": "héllo/\"x\"", "empty": "",
        "bytes": b"\x00\xff\x10", "time": when, "geo": firestore.GeoPoint(52.52, -13.4),
        "ref": client.document("profiles/ada"), "array": [1, "two", {"three": 3}, None],
        "map": {"nested": {"deep": [True]}, "empty": {}}, "emptyArray": [],
    }
    kinds = client.collection("kinds").document("all")
    kinds.set({**values, "nan": math.nan}, timeout=T)
    back = kinds.get(timeout=T).to_dict()
    nan = back.pop("nan")
    back["ref"] = back["ref"].path
    expected = dict(values, ref="profiles/ada")
    check("value kinds", (back == expected, math.isnan(nan), back["time"] == when), (True, True, True))

    # A transaction under contention: two threads increment one counter; on its first attempt
    # each thread waits, after reading, for the other to have read too, so both commits race
    # on the same read and one must be ABORTED and retried.
    counter = client.collection("counters").document("shared")
    counter.set({"n": 0}, timeout=T)
    per_thread = 5
    attempts = []
    lock = threading.Lock()
    barrier = threading.Barrier(2, timeout=T)
    errors = []

    def worker(name):
        try:
            for round_ in range(per_thread):
                first = [round_ == 0]

                @firestore.transactional
                def increment(transaction):
                    with lock:
                        attempts.append(name)
                    snapshot = counter.get(transaction=transaction, timeout=T)
                    if first[0]:
                        first[0] = False
                        barrier.wait()
                    transaction.update(counter, {"n": snapshot.get("n") + 1})

                increment(client.transaction(max_attempts=20))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(f"{name}: {error!r}")

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(T * 3)
    check("transaction errors", errors, [])
    check("transaction under contention", counter.get(timeout=T).get("n"), 2 * per_thread)
    retries = len(attempts) - 2 * per_thread
    check("ABORTED and retried", retries >= 1, True)

    # A read-only transaction reads and commits nothing.
    @firestore.transactional
    def read_only(transaction):
        return counter.get(transaction=transaction, timeout=T).get("n")

    check("read-only transaction", read_only(client.transaction(read_only=True)), 2 * per_thread)

    # Queries.
    cities = client.collection("cities")
    batch = client.batch()
    for i in range(10):
        batch.set(cities.document(f"c{i}"), {
            "population": i * 10, "region": "north" if i % 2 == 0 else "south", "score": i / 2,
            "tags": ["even" if i % 2 == 0 else "odd", f"t{i}"],
        })
    for path in ["jobs/j1/items/1", "jobs/j1/items/2", "jobs/j2/items/3", "items/4"]:
        batch.set(client.document(path), {"n": 1})
    batch.commit(timeout=T)

    check("where ==", ids(cities.where(filter=FieldFilter("region", "==", "north")).stream(timeout=T)), ["c0", "c2", "c4", "c6", "c8"])
    check("where <", ids(cities.where(filter=FieldFilter("population", "<", 30)).stream(timeout=T)), ["c0", "c1", "c2"])
    check("where in", ids(cities.where(filter=FieldFilter("population", "in", [30, 50])).stream(timeout=T)), ["c3", "c5"])
    check("where array_contains", ids(cities.where(filter=FieldFilter("tags", "array_contains", "odd")).stream(timeout=T)),
          ["c1", "c3", "c5", "c7", "c9"])
    check("order_by desc limit", ids(cities.order_by("population", direction=firestore.Query.DESCENDING).limit(3).stream(timeout=T)),
          ["c9", "c8", "c7"])
    check("start_after/end_before",
          ids(cities.order_by("population").start_after({"population": 20}).end_before({"population": 60}).stream(timeout=T)),
          ["c3", "c4", "c5"])
    check("compound filter", ids(cities.where(filter=FieldFilter("region", "==", "south"))
                                 .where(filter=FieldFilter("population", ">=", 50)).stream(timeout=T)), ["c5", "c7", "c9"])
    check("collection group", sorted(s.reference.path for s in client.collection_group("items").stream(timeout=T)),
          ["items/4", "jobs/j1/items/1", "jobs/j1/items/2", "jobs/j2/items/3"])

    aggregation = cities.count(alias="cities")
    aggregation.sum("population", alias="people")
    aggregation.avg("score", alias="mean")
    results = {result.alias: result.value for result in aggregation.get(timeout=T)[0]}
    check("aggregations", (results["cities"], results["people"], results["mean"]), (10, 450, 2.25))
    north = cities.where(filter=FieldFilter("region", "==", "north")).count(alias="n").get(timeout=T)[0][0].value
    check("count with filter", north, 5)

    snapshots = client.get_all([cities.document("c1"), cities.document("none")], field_paths=["region"], timeout=T)
    check("batch get", sorted((s.id, s.exists, s.to_dict()) for s in snapshots),
          [("c1", True, {"region": "south"}), ("none", False, None)])

    check("list_documents", [ref.id for ref in cities.list_documents(page_size=4, timeout=T)], [f"c{i}" for i in range(10)])
    check("collections", sorted(c.id for c in client.collections(timeout=T)),
          ["cities", "counters", "items", "jobs", "kinds", "profiles"])
    check("subcollections", [c.id for c in client.document("jobs/j1").collections(timeout=T)], ["items"])

    # on_snapshot: a query listener gets the matching documents, then the state after each change.
    snapshots = queue.Queue()
    watch = cities.where(filter=FieldFilter("region", "==", "north")).on_snapshot(
        lambda docs, changes, read_time: snapshots.put(sorted(doc.id for doc in docs)))
    try:
        first = snapshots.get(timeout=T)
        cities.document("c10").set({"region": "north", "population": 100}, timeout=T)
        second = snapshots.get(timeout=T)
        cities.document("c0").delete(timeout=T)
        third = snapshots.get(timeout=T)
    finally:
        watch.unsubscribe()
    check("on_snapshot", (first, second, third), (["c0", "c2", "c4", "c6", "c8"], ["c0", "c10", "c2", "c4", "c6", "c8"],
                                                  ["c10", "c2", "c4", "c6", "c8"]))

    # BatchWrite: each write on its own, with its own status.
    api = client._firestore_api
    response = api.batch_write(request={"database": DATABASE, "writes": [
        {"update": {"name": f"{ROOT}/batch/one", "fields": {"n": {"integer_value": 1}}}},
        {"update": {"name": f"{ROOT}/batch/missing", "fields": {"n": {"integer_value": 2}}}, "current_document": {"exists": True}},
    ]}, timeout=T)
    check("batch_write", ([status.code for status in response.status], client.document("batch/one").get(timeout=T).exists,
                          client.document("batch/missing").get(timeout=T).exists), ([0, 5], True, False))

    # create refuses an existing document; delete removes one.
    try:
        doc.create({"name": "again"}, timeout=T)
        outcome = "created"
    except exceptions.Conflict as error:
        outcome = type(error).__name__
    check("create existing", outcome, "AlreadyExists")
    doc.delete(timeout=T)
    check("delete", doc.get(timeout=T).exists, False)

    # Errors come back at once and say what is wrong.
    started = time.monotonic()
    try:
        firestore.Client(project="Not A Project!").collection("c").document("d").get(timeout=T)
        outcome = "read"
    except exceptions.InvalidArgument as error:
        outcome = "InvalidArgument" if "Not A Project!" in error.message else error.message
    check("bad project", (outcome, time.monotonic() - started < 5), ("InvalidArgument", True))
    started = time.monotonic()
    try:
        api.partition_query(request={"parent": ROOT, "structured_query": {"from_": [{"collection_id": "cities", "all_descendants": True}]},
                                     "partition_count": 2}, timeout=T)
        outcome = "answered"
    except exceptions.MethodNotImplemented as error:
        outcome = "MethodNotImplemented" if "PartitionQuery" in error.message else error.message
    check("unimplemented method", (outcome, time.monotonic() - started < 5), ("MethodNotImplemented", True))
    print("ALL OK", flush=True)


if __name__ == "__main__":
    main()
