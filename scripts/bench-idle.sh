#!/usr/bin/env bash
# The keep-alive idle probe's cost at fleet scale (BENCHMARKS.md): a lab of N origins in its
# own process, scanned with and without --no-idle-probe; wall time and peak RSS of each scan.
#
#   scripts/bench-idle.sh [N] [CONCURRENCY]      (defaults 10000 and 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
C=${2:-1000}
cargo build --release --quiet
BIN=target/release/originscan
WORK=$(mktemp -d)
trap 'kill $LAB_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"

"$BIN" lab --count "$N" --block 4 --dir "$WORK/lab" > "$WORK/lab.log" 2>&1 &
LAB_PID=$!
for _ in $(seq 1 1200); do [ -s "$WORK/lab/scan-args.txt" ] && break; sleep 0.1; done
read -r -a LAB_ARGS < "$WORK/lab/scan-args.txt"

scan() { # label, extra args...
  local label=$1; shift
  # The lab's resolver is local: --resolver-rate (default 200/s, for real resolvers) is raised.
  /usr/bin/time -v "$BIN" scan -i "$WORK/lab/targets.csv" "${LAB_ARGS[@]}" --concurrency "$C" \
    --resolver-rate 10000 \
    --no-progress -f json -o "$WORK/$label.json" "$@" 2> "$WORK/$label.time" || true
  local wall rss rows
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/$label.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$label.time")
  rows=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['origins']))" "$WORK/$label.json")
  echo "$label: $rows of $N origins reported, wall $wall, peak RSS $((rss / 1024)) MiB"
}
scan "with idle probe (keep-alive ${C} concurrency)"
scan "without idle probe" --no-idle-probe
echo "lab targets use OriginKeepaliveTimeout 2 s; a serial idle wait would cost 2 s x $N / $C = $((2 * N / C)) s"
