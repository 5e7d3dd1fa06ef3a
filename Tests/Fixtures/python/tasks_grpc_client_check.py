"""Google's Cloud Tasks client (google-cloud-tasks) on its default gRPC transport against the
emulator: queues created, listed, updated, paused, resumed and purged; HTTP tasks created, listed,
read, run (dispatched to a receiver in this script) and deleted; errors that come back at once.

    tasks_grpc_client_check.py HOST:PORT

Every call has a short timeout, so a regression fails in seconds rather than after the client's
default retries. Prints `ok <check>: …` per check and `ALL OK` last; exits 1 at the first failure.
"""
import http.server
import sys
import threading
import time

import grpc
from google.api_core import exceptions
from google.cloud import tasks_v2
from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksGrpcTransport
from google.protobuf import duration_pb2, field_mask_pb2, timestamp_pb2

host = sys.argv[1]
TIMEOUT = 10
# The default transport is gRPC; an emulator speaks it without TLS, which only a channel says.
client = tasks_v2.CloudTasksClient(transport=CloudTasksGrpcTransport(channel=grpc.insecure_channel(host)))
parent = "projects/grpc-tasks/locations/us-central1"
queue_name = f"{parent}/queues/grpc-queue"


def ok(check, detail):
    print(f"ok {check}: {detail}", flush=True)


received = []
received_lock = threading.Condition()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with received_lock:
            received.append((self.path, body, self.headers.get("X-CloudTasks-TaskName")))
            received_lock.notify_all()
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
receiver = f"http://127.0.0.1:{server.server_address[1]}"

started = time.monotonic()
queue = client.create_queue(parent=parent, queue=tasks_v2.Queue(name=queue_name), timeout=TIMEOUT)
assert queue.name == queue_name and queue.state == tasks_v2.Queue.State.RUNNING, queue
assert queue.rate_limits.max_dispatches_per_second == 500, queue.rate_limits
ok("create_queue", f"{queue.name} RUNNING with the default 500/s")

try:
    client.create_queue(parent=parent, queue=tasks_v2.Queue(name=queue_name), timeout=TIMEOUT)
    raise AssertionError("a second create_queue succeeded")
except exceptions.AlreadyExists as error:
    ok("create_queue twice", f"AlreadyExists: {error.message}")

updated = client.update_queue(
    queue=tasks_v2.Queue(name=queue_name, rate_limits=tasks_v2.RateLimits(max_dispatches_per_second=5, max_concurrent_dispatches=2)),
    update_mask=field_mask_pb2.FieldMask(paths=["rate_limits.max_dispatches_per_second", "rate_limits.max_concurrent_dispatches"]),
    timeout=TIMEOUT,
)
assert updated.rate_limits.max_dispatches_per_second == 5 and updated.rate_limits.max_concurrent_dispatches == 2, updated.rate_limits
assert client.get_queue(name=queue_name, timeout=TIMEOUT).rate_limits.max_dispatches_per_second == 5
ok("update_queue", "rate_limits 5/s and 2 concurrent, read back by get_queue")

names = [q.name for q in client.list_queues(parent=parent, timeout=TIMEOUT)]
assert names == [queue_name], names
ok("list_queues", f"{names}")

paused = client.pause_queue(name=queue_name, timeout=TIMEOUT)
assert paused.state == tasks_v2.Queue.State.PAUSED, paused.state
resumed = client.resume_queue(name=queue_name, timeout=TIMEOUT)
assert resumed.state == tasks_v2.Queue.State.RUNNING, resumed.state
ok("pause_queue and resume_queue", "PAUSED, then RUNNING")

# Scheduled an hour ahead, so nothing is dispatched until a task is run by hand.
later = timestamp_pb2.Timestamp()
later.FromSeconds(int(time.time()) + 3600)

created = []
for index in range(3):
    task = tasks_v2.Task(
        name=f"{queue_name}/tasks/grpc-task-{index}",
        http_request=tasks_v2.HttpRequest(http_method=tasks_v2.HttpMethod.POST, url=f"{receiver}/work/{index}",
                                          headers={"Content-Type": "text/plain"}, body=f"body {index}".encode()),
        dispatch_deadline=duration_pb2.Duration(seconds=60),
        schedule_time=later,
    )
    created.append(client.create_task(request=tasks_v2.CreateTaskRequest(parent=queue_name, task=task, response_view=tasks_v2.Task.View.FULL), timeout=TIMEOUT))
assert created[0].http_request.body == b"body 0" and created[0].dispatch_deadline.seconds == 60, created[0]
ok("create_task", f"{len(created)} tasks, FULL view carries the body")

listed = list(client.list_tasks(parent=queue_name, timeout=TIMEOUT))
assert sorted(t.name for t in listed) == sorted(t.name for t in created), listed
assert all(t.http_request.body == b"" for t in listed), "BASIC view leaked a body"
ok("list_tasks", f"{len(listed)} tasks, BASIC view without bodies")

basic = client.get_task(name=created[1].name, timeout=TIMEOUT)
full = client.get_task(request=tasks_v2.GetTaskRequest(name=created[1].name, response_view=tasks_v2.Task.View.FULL), timeout=TIMEOUT)
assert basic.http_request.body == b"" and full.http_request.body == b"body 1", (basic, full)
ok("get_task", "BASIC and FULL views")

time.sleep(0.5)
assert received == [], received
ran = client.run_task(name=created[0].name, timeout=TIMEOUT)
assert ran.name == created[0].name
deadline = time.monotonic() + 10
with received_lock:
    while not received and time.monotonic() < deadline:
        received_lock.wait(timeout=0.2)
assert received and received[0][0] == "/work/0" and received[0][1] == b"body 0" and received[0][2] == "grpc-task-0", received
ok("run_task", f"dispatched {received[0][0]} with its body an hour early")

client.delete_task(name=created[2].name, timeout=TIMEOUT)
try:
    client.get_task(name=created[2].name, timeout=TIMEOUT)
    raise AssertionError("a deleted task was found")
except exceptions.NotFound as error:
    ok("delete_task", f"then NotFound: {error.message}")

purged = client.purge_queue(name=queue_name, timeout=TIMEOUT)
assert purged.purge_time.timestamp() > 0, purged
assert list(client.list_tasks(parent=queue_name, timeout=TIMEOUT)) == []
try:
    client.run_task(name=created[1].name, timeout=TIMEOUT)
    raise AssertionError("a purged task ran")
except exceptions.NotFound:
    pass
time.sleep(0.5)
assert [path for path, _, _ in received] == ["/work/0"], f"a purged task was dispatched: {received}"
ok("purge_queue", "list_tasks empty, run_task of a purged task NotFound, nothing else dispatched")

for call, check in [
    (lambda: client.get_queue(name=f"{parent}/queues/missing", timeout=TIMEOUT), "get_queue missing"),
    (lambda: client.create_task(parent=queue_name, task=tasks_v2.Task(http_request=tasks_v2.HttpRequest(url="ftp://x")), timeout=TIMEOUT), "create_task bad url"),
    (lambda: client.get_iam_policy(resource=queue_name, timeout=TIMEOUT), "get_iam_policy"),
]:
    began = time.monotonic()
    try:
        call()
        raise AssertionError(f"{check} succeeded")
    except (exceptions.NotFound, exceptions.InvalidArgument, exceptions.MethodNotImplemented) as error:
        elapsed = time.monotonic() - began
        assert elapsed < 2, f"{check} took {elapsed:.1f}s"
        ok(check, f"{type(error).__name__} in {elapsed * 1000:.0f} ms: {error.message}")

client.delete_queue(name=queue_name, timeout=TIMEOUT)
assert list(client.list_queues(parent=parent, timeout=TIMEOUT)) == []
ok("delete_queue", "list_queues is empty")
server.shutdown()
print("ALL OK", flush=True)
