#!/usr/bin/env bash
# Server time of comet serve's endpoints on a database of 10,000 trials x 100 epochs x 5 metrics
# (docs/performance.md, "comet serve"). Writes the database with build/tests/cli/serve_bench_db
# when it is missing (several minutes: 1,000,000 epochs, each one transaction as comet run
# commits them), starts `comet serve` on 127.0.0.1 (a free port), asks each endpoint once (the
# first answer: no cached trial list, cold SQLite caches) and then 10 times, and prints the
# first, the median and the largest Server-Timing.
#   scripts/serve_bench.sh [BUILD=build] [DB=/tmp/comet-serve-bench.db]
set -euo pipefail
build=${1:-build}
db=${2:-/tmp/comet-serve-bench.db}
if [ ! -f "$db" ]; then
  echo "serve_bench: writing $db"
  "$build/tests/cli/serve_bench_db" "$db"
fi
log=$(mktemp)
"$build/comet" serve --db "$db" --port 0 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q 'http://' "$log" && break; sleep 0.1; done
port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log")
base="http://127.0.0.1:$port"
trial=$(curl -s "$base/api/sweeps/bench/trials?limit=1" | sed -n 's|.*"trial": "\([0-9a-f]*\)".*|\1|p' | head -1)

server_time() {
  curl -s -o /dev/null -D - "$base$1" | sed -n 's/^Server-Timing: app;dur=\([0-9.]*\).*/\1/p'
}
time_of() {  # the first, the median and the largest server time (ms) of 10 requests after it
  local times=() first
  first=$(server_time "$1")
  for _ in $(seq 10); do
    times+=("$(server_time "$1")")
    sleep 0.05  # under the rate limit
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v path="$1" -v first="$first" \
    '{ t[NR] = $1 } END { printf "%-60s first %7.1f  median %7.1f  max %7.1f ms\n", path, first, (t[5] + t[6]) / 2, t[NR] }'
}

time_of "/api/sweeps"
time_of "/api/sweeps/bench/trials"
time_of "/api/sweeps/bench/trials?where=model%3Dcomet&where=best_val_acc%3E0.5&sort=best_val_acc&order=desc"
time_of "/api/sweeps/bench/trials?limit=1000"
time_of "/api/trials/$trial/curves"
time_of "/api/trials/$trial"
time_of "/api/sweeps/bench/curves?limit=100"
time_of "/api/sweeps/bench/curves?limit=1000"
time_of "/api/sweeps/bench/compare?rows=width&cols=lr&by=model"
time_of "/api/sweeps/bench/grid?rows=width&cols=lr&by=model"
