#!/usr/bin/env bash
# The handshake-ceiling comparison on equal terms (BENCHMARKS.md, "Profile and fixes"): a
# proposal next to bench-fleet.sh's figure, which it does not replace.
#
# bench-fleet.sh divides 2 x (origins with a TLS timing) / (the whole scan's wall time) by the
# ceiling's handshakes per second. The two sides do not do the same work: the ceiling handshakes
# only with the lab's TLS-answering origins and asks no DNS, while the scan's wall time also holds
# the origins the ceiling skips (DNS timeouts, filtered ports, name-server faults...), and its
# "2 per TLS origin" is assumed, not counted. Here both tools get the same origins (the
# ceiling's own filter, examples/handshake_ceiling.rs), the same lab and the same concurrency, and
# both sides' handshakes are counted: the TCP connections each process opens (perf's
# sock:inet_sock_set_state tracepoint, SYN_SENT, per process; the kernel's ActiveOpens counter
# when perf cannot), less the one plain-HTTP connection of each match-viewer origin. Every
# connection to these origins carries a ClientHello: rustls's, CloudFront's hellos, the
# other-SNI handshakes. The ceiling's run lasts about a second, so each tool runs ROUNDS times,
# alternating, and the medians are compared.
#
#   scripts/bench-ceiling-fair.sh N [CONCURRENCY] [ROUNDS] [SCAN OPTIONS...]   (1000, 1000, 3)
#
# Environment as bench-fleet.sh: RTT=MS, ZONES=K. ORIGINSCAN_BIN picks another scanner binary.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
C=${2:-1000}
ROUNDS=${3:-3}
shift $(( $# > 3 ? 3 : $# ))
RTT=${RTT:-0}
ZONES=${ZONES:-0}
cargo build --release --quiet --bin originscan --example handshake_ceiling
BIN=${ORIGINSCAN_BIN:-target/release/originscan}
CEILING=target/release/examples/handshake_ceiling
WORK=$(mktemp -d)
trap 'kill $LAB_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); lab: $N origins, rtt $RTT ms, $ZONES extra zones"
"$BIN" lab --count "$N" --block 5 --rtt "$RTT" --zones "$ZONES" --dir "$WORK/lab" > "$WORK/lab.log" 2>&1 &
LAB_PID=$!
for _ in $(seq 1 1800); do [ -s "$WORK/lab/scan-args.txt" ] && break; sleep 0.1; done
read -r -a LAB_ARGS < "$WORK/lab/scan-args.txt"

# The ceiling's origins, as a targets file for the scan; the plain-HTTP connections to subtract.
python3 - "$WORK/lab" <<'PY'
import csv, io, json, sys
lab = sys.argv[1]
truth = json.load(open(f"{lab}/truth.json"))
def ceiling_takes(t):  # the filter of examples/handshake_ceiling.rs
    codes = t.get("expected") or []
    return (all(c.startswith("CERT_") or (c.startswith("HTTP_") and c not in ("HTTP_EARLY_CLOSE", "HTTP_PLAINTEXT_POLICY_MISMATCH")) for c in codes)
            and "http-only" not in t.get("pathology", "") and bool(t.get("addresses")))
chosen = {t["origin"] for t in truth if ceiling_takes(t)}
lines = [l for l in open(f"{lab}/targets.csv").read().splitlines() if l and not l.startswith("#")]
rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
kept = [line for line, row in zip(lines[1:], rows) if row["origin"] in chosen]
open(f"{lab}/ceiling-targets.csv", "w").write("\n".join([lines[0]] + kept) + "\n")
plain = sum(1 for row in rows if row["origin"] in chosen and row.get("http_port"))
open(f"{lab}/plain-connections", "w").write(str(plain))
print(f"origins: {len(kept)} (the ceiling's), {plain} of them also on a plain-HTTP port")
PY

# Runs "$@" (output in $WORK/out.txt) and prints the TCP connections it (and its threads) opened.
counted() {
  local o0 o1
  if perf stat -x, -e sock:inet_sock_set_state --filter 'newstate == 2' -o "$WORK/perf.txt" -- true 2>/dev/null; then
    perf stat -x, -e sock:inet_sock_set_state --filter 'newstate == 2' -o "$WORK/perf.txt" -- "$@" > "$WORK/out.txt"
    awk -F, '/sock:inet_sock_set_state/ {print $1}' "$WORK/perf.txt"
  else
    o0=$(awk '/^Tcp:/ {getline; print $6}' /proc/net/snmp)
    "$@" > "$WORK/out.txt"
    o1=$(awk '/^Tcp:/ {getline; print $6}' /proc/net/snmp)
    echo $((o1 - o0))
  fi
}
plain=$(cat "$WORK/lab/plain-connections")
: > "$WORK/rounds"
for round in $(seq 1 "$ROUNDS"); do
  conns=$(counted "$BIN" scan -i "$WORK/lab/ceiling-targets.csv" "${LAB_ARGS[@]}" \
    --concurrency "$C" --resolver-rate 10000 --no-progress --no-idle-probe -f json -o "$WORK/scan.json" "$@")
  # Both sides' own clocks: the scan's (summary.duration_ms) and the ceiling's leave out start-up.
  scan=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['summary']['duration_ms'] / 1000, len(r['origins']), sum(1 for o in r['origins'] if o['timings_ms'].get('tls') is not None))" "$WORK/scan.json")
  ceil_conns=$(counted "$CEILING" "$WORK/lab/truth.json" "$C")
  ceil=$(sed -E 's/.*: ([0-9]+) handshakes of [0-9]+ origins in ([0-9.]+) s.*/\1 \2/' "$WORK/out.txt")
  echo "$round $((conns - plain)) $scan $ceil $ceil_conns" >> "$WORK/rounds"
done
python3 - "$WORK/rounds" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
scan, ceiling, assumed = [], [], []
for r, made, secs, origins, tls, ceil_made, ceil_secs, ceil_conns in rows:
    made, secs, tls, ceil_made, ceil_secs = int(made), float(secs), int(tls), int(ceil_made), float(ceil_secs)
    scan.append(made / secs); ceiling.append(ceil_made / ceil_secs); assumed.append(2 * tls / secs)
    print(f"round {r}: originscan {made} handshakes ({origins} origins) in {secs:.2f} s = {made / secs:.0f}/s "
          f"(2 x {tls} TLS origins would say {2 * tls / secs:.0f}/s); ceiling {ceil_made} in {ceil_secs:.2f} s "
          f"= {ceil_made / ceil_secs:.0f}/s ({ceil_conns} connections)")
s, c = statistics.median(scan), statistics.median(ceiling)
print(f"medians: originscan {s:.0f} handshakes/s, ceiling {c:.0f}/s: fraction {s / c:.2f} per handshake made "
      f"(counted as bench-fleet.sh counts, 2 per TLS origin: {statistics.median(assumed) / c:.2f})")
PY
