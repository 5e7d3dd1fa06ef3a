#!/usr/bin/env bash
# Cold start of the release stage binaries, with the Python Functions Framework measured in the
# same run for comparison (installed into a virtualenv under .build-bench/ when pip is available).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release
bin="$(swift build -c release --show-bin-path)"
compare=()
venv=.build-bench/ff-venv
if [ ! -x "$venv/bin/functions-framework" ] && python3 -m venv "$venv" 2>/dev/null; then
  "$venv/bin/pip" install -q functions-framework || true
fi
if [ -x "$venv/bin/functions-framework" ]; then
  compare=(--command "$PWD/$venv/bin/functions-framework --target=hello --source=$PWD/Benchmarks/ColdStart/python/main.py --host 127.0.0.1")
fi
"$bin/ColdStartBenchmark" --runs "${RUNS:-20}" ingest populate process teardown "${compare[@]}"
