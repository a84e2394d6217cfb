#!/usr/bin/env bash
# Fleet scale (BENCHMARKS.md): a lab of N origins in its own process, scanned by originscan, and
# the machine's handshake ceiling (examples/handshake_ceiling.rs) against the same lab, in one run.
#
#   scripts/bench-fleet.sh N [CONCURRENCY] [--no-idle-probe]     (defaults: 1000, 1000)
#
# Prints wall time, origins/s, TLS origins/s, peak RSS, peak open descriptors, and the ratio of
# originscan's handshake rate to the ceiling.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
C=${2:-1000}
EXTRA=${3:-}
cargo build --release --quiet --bin originscan --example handshake_ceiling
BIN=target/release/originscan
WORK=$(mktemp -d)
trap 'kill $LAB_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"

"$BIN" lab --count "$N" --block 5 --dir "$WORK/lab" > "$WORK/lab.log" 2>&1 &
LAB_PID=$!
for _ in $(seq 1 1800); do [ -s "$WORK/lab/scan-args.txt" ] && break; sleep 0.1; done
read -r -a LAB_ARGS < "$WORK/lab/scan-args.txt"

# shellcheck disable=SC2086
/usr/bin/time -v "$BIN" scan -i "$WORK/lab/targets.csv" "${LAB_ARGS[@]}" --concurrency "$C" \
  --resolver-rate 10000 --no-progress -f json -o "$WORK/scan.json" $EXTRA 2> "$WORK/scan.time" &
SCAN_PID=$!
peak_fds=0
while kill -0 "$SCAN_PID" 2>/dev/null; do
  child=$(pgrep -P "$SCAN_PID" originscan || true)
  if [ -n "$child" ]; then
    fds=$(ls "/proc/$child/fd" 2>/dev/null | wc -l)
    [ "$fds" -gt "$peak_fds" ] && peak_fds=$fds
  fi
  sleep 0.2
done
wait "$SCAN_PID" || true

wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/scan.time")
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/scan.time")
python3 - "$WORK/scan.json" "$N" "$wall" "$rss" "$peak_fds" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
n = int(sys.argv[2]); wall = sys.argv[3]; rss = int(sys.argv[4]); fds = sys.argv[5]
parts = [float(p) for p in wall.split(":")]
seconds = parts[-1] + (parts[-2] * 60 if len(parts) > 1 else 0) + (parts[-3] * 3600 if len(parts) > 2 else 0)
origins = report["origins"]
tls = sum(1 for o in origins if o["timings_ms"].get("tls") is not None)
print(f"originscan: {len(origins)} of {n} origins reported in {seconds:.2f} s = {len(origins)/seconds:.0f} origins/s; "
      f"{tls} TLS origins = {tls/seconds:.0f}/s; peak RSS {rss//1024} MiB; peak fds {fds}")
open("/tmp/originscan-fleet-rate", "w").write(f"{tls/seconds}")
PY
ceiling=$(target/release/examples/handshake_ceiling "$WORK/lab/truth.json" "$C")
echo "$ceiling"
python3 - "$ceiling" <<'PY'
import re, sys
ceiling = float(re.search(r"= (\d+) handshakes/s", sys.argv[1]).group(1))
rate = float(open("/tmp/originscan-fleet-rate").read())
# Each TLS origin costs originscan two handshakes (rustls, for the chain and HTTP, and
# CloudFront's own hello); the ceiling client makes one per origin.
print(f"fraction of the ceiling: {rate/ceiling:.2f} per origin, {2*rate/ceiling:.2f} per handshake made")
PY
