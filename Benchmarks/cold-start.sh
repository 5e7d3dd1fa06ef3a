#!/usr/bin/env bash
# Cold start of the stage binaries built as they are deployed (release, --static-swift-stdlib),
# from spawn to the first 200 on loopback, with the Python Functions Framework measured in the
# same run for comparison (installed into a virtualenv under .build-bench/ when pip works).
#   Benchmarks/cold-start.sh            RUNS=50 Benchmarks/cold-start.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build-static
swift build -c release --static-swift-stdlib --scratch-path "$scratch"
bin="$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)"
# The benchmark driver lives in the Benchmarks package; it only spawns the binaries above.
swift build --package-path Benchmarks -c release --product ColdStartBenchmark
driver="$(swift build --package-path Benchmarks -c release --show-bin-path)/ColdStartBenchmark"
compare=()
venv=.build-bench/ff-venv
if [ ! -x "$venv/bin/functions-framework" ] && python3 -m venv "$venv" 2>/dev/null; then
  "$venv/bin/pip" install -q functions-framework || true
fi
if [ -x "$venv/bin/functions-framework" ]; then
  compare=(--command "$PWD/$venv/bin/functions-framework --target=hello --source=$PWD/Benchmarks/ColdStart/python/main.py --host 127.0.0.1")
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$driver" --bin-dir "$bin" --runs "${RUNS:-20}" ingest populate process teardown "${compare[@]}"
