#!/usr/bin/env bash
# Container test: builds the runtime image of infra/Dockerfile with podman from host-built
# release binaries on a debootstrapped Debian base (no registry is needed), then runs each
# stage as a container the way Cloud Run does and checks that
#   - it serves GET /healthz on the PORT it is given,
#   - it runs as a non-root user,
#   - its root filesystem is read-only and only /tmp is writable,
#   - SIGTERM (`podman stop`) stops it within 10 s, with a clean exit;
# then runs the example job under `emulator up --containers` (stages as containers).
#
#   infra/test-container.sh [--bin-dir DIR] [--keep-image]
#
# Needs root, podman, runc and debootstrap (scripts/setup-system.sh --containers installs
# them) and the Debian mirror for the first debootstrap; the base image is kept in podman's
# storage as localhost/pixelpipe-base:bookworm and reused (`podman rmi` it to start over).
# Environment: PIXELPIPE_BIN_DIR (default .build/release), DEBIAN_MIRROR.
set -euo pipefail
cd "$(dirname "$0")/.."

bin_dir=${PIXELPIPE_BIN_DIR:-.build/release}
keep_image=false
while (($#)); do
  case $1 in
    --bin-dir) bin_dir=$2; shift 2 ;;
    --keep-image) keep_image=true; shift ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

stages=(ingest populate process teardown api)
binaries=("${stages[@]}" emulator)
base_image=localhost/pixelpipe-base:bookworm
image=localhost/pixelpipe:test
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Debian's podman with runc, and limits low enough for the sandboxes this runs in.
podman_run=(podman run --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1000:1000)

passed=0
failed=0
pass() { echo "  ok   $*"; passed=$((passed + 1)); }
fail() { echo "  FAIL $*"; failed=$((failed + 1)); }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

[ "$(id -u)" -eq 0 ] || { echo "test-container.sh needs root (podman with runc, debootstrap)" >&2; exit 1; }
for tool in podman runc debootstrap curl; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/setup-system.sh --containers" >&2; exit 1; }
done
for binary in "${binaries[@]}"; do
  [ -x "$bin_dir/$binary" ] || { echo "no $bin_dir/$binary: build with 'swift build -c release' or pass --bin-dir" >&2; exit 1; }
done

work=$(mktemp -d)
containers=()
cleanup() {
  local container
  for container in "${containers[@]}"; do podman rm -f "$container" >/dev/null 2>&1 || true; done
  if [ "$keep_image" = false ]; then podman rmi -f "$image" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# 1. The base: `debootstrap --variant=minbase bookworm`, imported as an image.
echo "==> base image $base_image"
if podman image exists "$base_image"; then
  echo "  reusing it"
else
  start=$(now)
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  # The downloaded .debs and package lists are not part of an image.
  tar -C "$work/rootfs" --exclude='./var/cache/apt/archives/*.deb' --exclude='./var/lib/apt/lists/*' -c . \
    | podman import --quiet --message "debootstrap --variant=minbase bookworm" - "$base_image" >/dev/null
  rm -rf "$work/rootfs"
  echo "  debootstrapped and imported in $(elapsed "$start" "$(now)") s"
fi

# 2. The runtime image from host-built binaries: bin/ holds them, lib/ the Swift runtime
# libraries they link (binaries built with --static-swift-stdlib need none).
echo "==> runtime image $image (infra/Dockerfile, target runtime-prebuilt, binaries from $bin_dir)"
mkdir -p "$work/context/bin" "$work/context/lib"
for binary in "${binaries[@]}"; do
  # Debug info is most of a release binary's size; symbols stay, for readable backtraces.
  strip --strip-debug -o "$work/context/bin/$binary" "$bin_dir/$binary"
  ldd "$bin_dir/$binary" | awk '$3 ~ /\/lib\/swift\// { print $3 }'
done | sort -u | while read -r library; do cp -L "$library" "$work/context/lib/"; done
start=$(now)
podman build --runtime runc --network host --ulimit nofile=1024:1024 --ulimit nproc=1000:1000 --quiet -f infra/Dockerfile --target runtime-prebuilt \
  --build-arg RUNTIME_IMAGE="$base_image" -t "$image" "$work/context" >"$work/build.log" 2>&1 \
  || { tail -n 30 "$work/build.log" >&2; exit 1; }
size=$(podman image inspect --format '{{.Size}}' "$image")
echo "  built in $(elapsed "$start" "$(now)") s; image size $((size / 1000000)) MB"
user=$(podman image inspect --format '{{.Config.User}}' "$image")
if [[ $user != "" && $user != 0* && $user != root* ]]; then pass "image user is $user (not root)"; else fail "image user is '$user'"; fi
if "${podman_run[@]}" --rm --network none "$image" sh -c 'ls /app/bin' | tr '\n' ' ' | grep -q 'api emulator ingest populate process teardown'; then
  pass "/app/bin holds ${binaries[*]}"
else
  fail "/app/bin does not hold every binary"
fi

# A free loopback port for each container (they share the host's network, so PORT is the
# port the stage really binds).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# 3. Each stage as Cloud Run would run it.
for stage in "${stages[@]}"; do
  echo "==> $stage"
  port=$(free_port)
  name="pixelpipe-test-$stage-$$"
  containers+=("$name")
  # --read-only-tmpfs=false: podman would otherwise also mount tmpfs on /var/tmp and /run.
  # No API is reached by /healthz; the emulator variables point at a closed loopback port so
  # nothing looks for the metadata server.
  "${podman_run[@]}" -d --name "$name" --network host \
    --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,mode=1777,size=64m \
    -e PORT="$port" -e HOST=127.0.0.1 -e K_SERVICE="$stage" -e GOOGLE_CLOUD_PROJECT=pixelpipe-test \
    -e STORAGE_EMULATOR_HOST=http://127.0.0.1:9 -e PUBSUB_EMULATOR_HOST=127.0.0.1:9 \
    -e CLOUD_TASKS_EMULATOR_HOST=127.0.0.1:9 -e FIRESTORE_EMULATOR_HOST=127.0.0.1:9 \
    -e PIXELPIPE_PROCESS_URL=http://127.0.0.1:9 -e PIXELPIPE_TEARDOWN_URL=http://127.0.0.1:9 \
    "$image" "/app/bin/$stage" >/dev/null
  healthy=false
  start=$(now)
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then healthy=true; break; fi
    [ "$(podman inspect --format '{{.State.Running}}' "$name")" = true ] || break
    sleep 0.1
  done
  if $healthy; then
    pass "$stage answers GET /healthz on PORT=$port ($(elapsed "$start" "$(now)") s after start)"
  else
    fail "$stage did not answer /healthz on PORT=$port"; podman logs "$name" 2>&1 | tail -n 20
    continue
  fi
  uid=$(podman exec "$name" id -u)
  if [ "$uid" != 0 ]; then pass "$stage runs as uid $uid"; else fail "$stage runs as root"; fi
  if [ "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$name")" = true ]; then
    pass "$stage has a read-only root filesystem"
  else
    fail "$stage root filesystem is writable"
  fi
  writable=$(podman exec "$name" sh -c 'for d in / /app /app/bin /etc /var/tmp /home /tmp; do touch "$d/.w" 2>/dev/null && echo "$d"; done' | tr '\n' ' ')
  if [ "$writable" = "/tmp " ]; then pass "$stage can write only to /tmp"; else fail "$stage can write to: $writable"; fi
  start=$(now)
  podman stop --time 10 "$name" >/dev/null
  took=$(elapsed "$start" "$(now)")
  code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
  if awk -v t="$took" 'BEGIN { exit !(t < 10) }' && [ "$code" != 137 ]; then
    pass "$stage stopped on SIGTERM in $took s (exit status $code)"
  else
    fail "$stage took $took s to stop on SIGTERM (exit status $code; 137 means it was killed)"
    podman logs "$name" 2>&1 | tail -n 20
  fi
done

echo "==> emulator"
if "${podman_run[@]}" --rm --network none --read-only --read-only-tmpfs=false --tmpfs /tmp "$image" /app/bin/emulator --help >/dev/null 2>&1; then
  pass "emulator starts in the image"
else
  fail "emulator does not start in the image"
fi

# 4. The end-to-end demo with `emulator up --containers`: the supervisor starts each stage as a
# container of this image (host network, read-only root, /tmp only) instead of a process; the
# example CSV dropped into the uploads folder must come out as a finished job.
echo "==> end-to-end demo with 'emulator up --containers'"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
demo=$work/demo
mkdir -p "$demo"
images_port=$(free_port)
emulator_port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory examples "$images_port" >"$demo/images.log" 2>&1 &
images_pid=$!
"$bin_dir/emulator" up --containers --image "$image" --port "$emulator_port" --data-dir "$demo/data" --log-format json >"$demo/emulator.log" 2>&1 &
emulator_pid=$!
stop_demo() {
  kill "$images_pid" 2>/dev/null || true
  if kill -0 "$emulator_pid" 2>/dev/null; then kill -TERM "$emulator_pid"; wait "$emulator_pid" 2>/dev/null || true; fi
}
ready=false
for _ in $(seq 1 300); do
  if grep -q '"message":"pipeline ready"' "$demo/emulator.log"; then ready=true; break; fi
  kill -0 "$emulator_pid" 2>/dev/null || break
  sleep 0.2
done
if [ "$ready" = true ]; then
  pass "emulator up --containers started the stages as containers"
  running=$(podman ps --format '{{.Names}}' | grep -c '^pixelpipe-' || true)
  if [ "$running" -eq 4 ]; then pass "4 stage containers running"; else fail "$running stage containers running (expected 4)"; fi
  sed "s#127.0.0.1:8090#127.0.0.1:$images_port#g" examples/products.csv >"$demo/data/buckets/pixelpipe-uploads/products.csv"
  output=""
  for _ in $(seq 1 600); do
    output=$(find "$demo/data/buckets/pixelpipe-processed" -name output.csv 2>/dev/null | head -n 1)
    [ -n "$output" ] && break
    sleep 0.2
  done
  if [ -n "$output" ]; then
    expected=$(python3 -c 'import csv, sys; print(sum(1 for _ in csv.reader(open(sys.argv[1]))) - 1)' examples/products.csv)
    succeeded=$(python3 -c 'import csv, sys; r = list(csv.DictReader(open(sys.argv[1]))); print(sum(1 for row in r if row["Status"] == "succeeded"))' "$output")
    if [ "$succeeded" -eq "$expected" ]; then
      pass "the example job finished in containers: $succeeded of $expected rows succeeded ($output)"
    else
      fail "the example job: $succeeded of $expected rows succeeded"; cat "$output"
    fi
  else
    fail "no output CSV within 120 s"; tail -n 30 "$demo/emulator.log"
  fi
else
  fail "emulator up --containers did not become ready"; tail -n 30 "$demo/emulator.log"
fi
stop_demo
left=$(podman ps --format '{{.Names}}' | grep -c '^pixelpipe-' || true)
if [ "$left" -eq 0 ]; then pass "stopping the emulator stopped every stage container"; else fail "$left stage containers left running"; fi

echo "container-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
