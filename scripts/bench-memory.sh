#!/usr/bin/env bash
# Memory bounded by concurrency, not input (issue 17 item 3; BENCHMARKS.md, "Memory and input
# size"). Peak RSS (`/usr/bin/time -v`, "Maximum resident set size") of the real binary on:
#   - N targets (IP literals in 10.0.0.0/8, out of scope: nothing is sent) with -f ndjson, -f csv;
#   - `yes a.example | originscan scan -i -` (every line a duplicate: ends at the stdin limit);
#   - `cat /dev/zero | originscan scan -i -` (binary input: must fail at once);
#   - a list of 16 x N lines whose last line is bad (the error comes after the whole file).
#
#   scripts/bench-memory.sh [N]        (default 1000000)
#
# Run it under the shared build lock: `flock /tmp/cargo.lock scripts/bench-memory.sh`.
# Environment: ORIGINSCAN_BIN=PATH measures another build (an older commit's, to compare); each
# unbounded run is cut at 15 s (`timeout`), as the defects were measured.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
if [ -z "${ORIGINSCAN_BIN:-}" ]; then
  cargo build --release --quiet --bin originscan
fi
BIN=${ORIGINSCAN_BIN:-${CARGO_TARGET_DIR:-target}/release/originscan}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); $BIN"

python3 - "$N" "$WORK/targets.txt" <<'EOF'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    for i in range(n):
        f.write("10.%d.%d.%d\n" % (i >> 16 & 255, i >> 8 & 255, i & 255))
EOF
for _ in $(seq 1 16); do cat "$WORK/targets.txt"; done > "$WORK/big.txt"
echo "not a host" >> "$WORK/big.txt"

# One measured run: NAME, then a shell command line; prints wall time, peak RSS, exit code and
# the last line of stderr.
measure() {
  local name=$1; shift
  local rc=0
  /usr/bin/time -v -o "$WORK/time" bash -c "$*" > "$WORK/out" 2> "$WORK/err" || rc=$?
  local rss wall
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$WORK/time")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time")
  printf '%-34s wall %8s  peak RSS %6s MiB  exit %3s  %s\n' "$name" "$wall" "$rss" "$rc" \
    "$(grep -v '^\s*Command' "$WORK/err" | tail -n 1 | cut -c 1-110)"
}

SCAN="$BIN scan --no-progress --resolver 127.0.0.1:9"
measure "$N targets, -f ndjson" "$SCAN -i $WORK/targets.txt -f ndjson > /dev/null"
measure "$N targets, -f csv" "$SCAN -i $WORK/targets.txt -f csv > /dev/null"
measure "$N targets on stdin, -f ndjson" "$SCAN -i - -f ndjson < $WORK/targets.txt > /dev/null"
measure "yes a.example | scan -i -" "yes a.example | timeout 15 $SCAN -i - -f ndjson > /dev/null"
measure "cat /dev/zero | scan -i -" "cat /dev/zero | timeout 15 $SCAN -i - -f ndjson > /dev/null"
measure "$((16 * N)) lines, bad last line" "$SCAN -i $WORK/big.txt -f ndjson > /dev/null"
# Nothing may have been sent: every target is out of scope.
grep -c '"connected":false' <("$BIN" scan --no-progress --resolver 127.0.0.1:9 -f ndjson 10.1.2.3) > /dev/null \
  && echo "scope: a 10.0.0.0/8 target is reported not connected to (nothing sent)"
