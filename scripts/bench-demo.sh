#!/usr/bin/env bash
# First side-by-side figures (BENCHMARKS.md): originscan against the method AWS's 502
# troubleshooting guide gives, one `openssl s_client -connect ADDR:PORT -servername NAME` per
# origin in a shell loop, over the same loopback lab of N origins.
#
#   scripts/bench-demo.sh [N]        (default 1000)
#
# Prints: demo wall time and peak RSS; the scan alone; the s_client loop; the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
cargo build --release --quiet
BIN=target/release/originscan
WORK=$(mktemp -d)
trap 'kill $LAB_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"

# 1. The demo: lab start + scan + truth comparison, in one process.
/usr/bin/time -v "$BIN" demo --count "$N" --no-progress -f json -o "$WORK/demo.json" 2> "$WORK/demo.time"
demo_wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/demo.time")
demo_rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/demo.time")
grep "ground truth" "$WORK/demo.time" || true
echo "demo --count $N: wall $demo_wall, peak RSS $((demo_rss / 1024)) MiB"

# 2. A lab in its own process, scanned by originscan and by the s_client loop.
"$BIN" lab --count "$N" --block 3 --dir "$WORK/lab" > "$WORK/lab.log" 2>&1 &
LAB_PID=$!
for _ in $(seq 1 600); do [ -s "$WORK/lab/scan-args.txt" ] && break; sleep 0.1; done
read -r -a LAB_ARGS < "$WORK/lab/scan-args.txt"

now() { python3 -c 'import time; print(time.time())'; }
calc() { python3 -c "print($1)"; }
start=$(now)
# The lab's resolver is local: --resolver-rate (default 200/s, for real resolvers) is raised.
"$BIN" scan -i "$WORK/lab/targets.csv" "${LAB_ARGS[@]}" --resolver-rate 10000 --no-progress -f json -o "$WORK/scan.json" || true
scan_s=$(calc "$(now) - $start")

# AWS's method, per origin: openssl s_client with the origin as SNI, verifying against the CA.
# Origins whose DNS fails on purpose have no address and are skipped (the loop would stop
# at `dig` for them); each s_client gets 3 s (a filtered port would otherwise hang ~2 min).
python3 - "$WORK/lab/truth.json" > "$WORK/pairs.txt" <<'PY'
import json, sys
for t in json.load(open(sys.argv[1])):
    if t["addresses"]:
        print(t["origin"], t["addresses"][0], t["port"], t["pathology"])
PY
checked=$(wc -l < "$WORK/pairs.txt")
run_loop() {
  while read -r name addr port _; do
    timeout 3 openssl s_client -connect "$addr:$port" -servername "$name" \
      -CAfile "$WORK/lab/ca.pem" -verify_return_error -brief < /dev/null > /dev/null 2>&1 || true
  done
}
start=$(now)
grep -v ' filtered$' "$WORK/pairs.txt" | run_loop
answered_s=$(calc "$(now) - $start")
grep ' filtered$' "$WORK/pairs.txt" | run_loop
loop_s=$(calc "$(now) - $start")
answered=$(grep -vc ' filtered$' "$WORK/pairs.txt")

printf 'originscan scan: %d origins in %.2f s (%.2f ms/origin)\n' "$N" "$scan_s" "$(calc "$scan_s * 1000 / $N")"
printf 's_client loop:   %d origins in %.2f s (%.2f ms/origin)\n' "$checked" "$loop_s" "$(calc "$loop_s * 1000 / $checked")"
printf '  of which %d answering origins in %.2f s (%.2f ms/origin), the rest filtered ports hitting the 3 s timeout\n' "$answered" "$answered_s" "$(calc "$answered_s * 1000 / $answered")"
printf 'ratio (s_client ms/origin / originscan ms/origin): %.1f (answering origins only: %.1f)\n' \
  "$(calc "($loop_s / $checked) / ($scan_s / $N)")" "$(calc "($answered_s / $answered) / ($scan_s / $N)")"
