#!/usr/bin/env bash
# Instruction counts of a scan (BENCHMARKS.md, "Profile and fixes"): a lab of N origins in its own
# process, the scanner alone under valgrind's callgrind (which counts instructions, so the figure
# does not move with the machine's load), then the total, the ten functions with the most
# instructions of their own, and whether the findings still equal the lab's truth.
#
#   scripts/profile-callgrind.sh N [CONCURRENCY] [OUT_DIR]     (defaults: 1000, 100, a temp dir)
#
# Concurrency 100 by default: under callgrind the scanner runs about 50 times slower, and 1,000
# origins in flight at that speed starve their own timers (slow-response and dangling-CNAME
# origins then differ from the truth). The instruction count hardly depends on it.
# Build with symbols first: cargo build --release (the release profile keeps line tables).
# Open OUT_DIR/callgrind.out with callgrind_annotate or kcachegrind for the call graph.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
C=${2:-100}
OUT=${3:-$(mktemp -d)}
BIN=${ORIGINSCAN_BIN:-target/release/originscan}
mkdir -p "$OUT"
trap 'kill $LAB_PID 2>/dev/null || true' EXIT
"$BIN" lab --count "$N" --block 5 --dir "$OUT/lab" > "$OUT/lab.log" 2>&1 &
LAB_PID=$!
for _ in $(seq 1 1800); do [ -s "$OUT/lab/scan-args.txt" ] && break; sleep 0.1; done
read -r -a LAB_ARGS < "$OUT/lab/scan-args.txt"
valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
  "$BIN" scan -i "$OUT/lab/targets.csv" "${LAB_ARGS[@]}" --concurrency "$C" \
  --resolver-rate 10000 --no-progress --no-idle-probe -f json -o "$OUT/scan.json" 2> "$OUT/callgrind.log" || true
echo "scan of $N lab origins at --concurrency $C under callgrind ($(nproc) cores, $(uname -sr))"
grep -E "Collected" "$OUT/callgrind.log" | sed -E 's/^==[0-9]+== //; s/Collected :/instructions:/'
echo "top 10 functions by their own instructions:"
callgrind_annotate --inclusive=no "$OUT/callgrind.out" 2>/dev/null \
  | awk '/^-+$/ {rule++; next} rule >= 6 && NF && shown++ < 10' \
  | sed -E 's#/root/.cargo/registry/src/[^/]+/##; s#/rustc/[0-9a-f]+/##; s# \[[^]]*\]$##'
echo "instructions under the scan's main paths (inclusive):"
callgrind_annotate --inclusive=yes --threshold=100 "$OUT/callgrind.out" 2>/dev/null > "$OUT/inclusive.txt"
for what in 'originscan::check::cert::check \[' 'verify_server_cert_signed_by_trust_anchor_impl \[' \
  'CertFacts::parse \[' 'ExpectCertificateVerify as rustls::common_state::State' 'ring_shim::agree_ephemeral \[' \
  'KxGroup as rustls::crypto::SupportedKxGroup>::start \[' 'ring::hkdf::fill_okm \[' \
  'DnsProbe::lookup::\{\{closure\}\} \[' 'join_set::JoinSet<T>::spawn \['; do
  grep -m1 -E "$what" "$OUT/inclusive.txt" \
    | sed -E 's#/root/.cargo/registry/src/[^/]+/##; s#/rustc/[0-9a-f]+/##; s#/[^ ]*/src/#src/#; s# \[[^]]*\]$##' || true
done
python3 - "$OUT/lab/truth.json" "$OUT/scan.json" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))
report = json.load(open(sys.argv[2]))
got = {(o["origin"], o["port"]): sorted(f["code"] for f in o["findings"]) for o in report["origins"]}
bad = [t for t in truth if got.get((t["origin"], t["port"])) != sorted(t["expected"])]
print(f"findings equal to the lab's truth: {len(truth) - len(bad)} of {len(truth)} origins")
for t in bad[:5]:
    print(f"  {t['origin']}: expected {t['expected']}, reported {got.get((t['origin'], t['port']))}")
PY
# The ceiling client on the same lab, for scale: instructions per handshake of a bare rustls client.
CEILING=${CEILING_BIN:-target/release/examples/handshake_ceiling}
if [ -x "$CEILING" ]; then
  made=$(valgrind --tool=callgrind --callgrind-out-file="$OUT/ceiling.callgrind.out" "$CEILING" "$OUT/lab/truth.json" "$C" \
    2> "$OUT/ceiling.log" | sed -E 's/.*: ([0-9]+) handshakes of.*/\1/')
  total=$(sed -nE 's/^==[0-9]+== Collected : ([0-9]+)/\1/p' "$OUT/ceiling.log")
  scanned=$(sed -nE 's/^==[0-9]+== Collected : ([0-9]+)/\1/p' "$OUT/callgrind.log")
  python3 - "$made" "$total" "$scanned" "$OUT/scan.json" <<'PY'
import json, sys
made, ceiling, scanned = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
origins = json.load(open(sys.argv[4]))["origins"]
tls = sum(1 for o in origins if o["timings_ms"].get("tls") is not None)
print(f"ceiling client: {ceiling:,} instructions for {made} handshakes = {ceiling / made / 1e6:.2f} M per handshake; "
      f"the scan: {scanned / tls / 1e6:.2f} M per TLS origin ({tls}), {scanned / (2 * tls) / 1e6:.2f} M per handshake "
      f"counted as bench-fleet.sh counts (2 per TLS origin)")
PY
fi
echo "output: $OUT"
