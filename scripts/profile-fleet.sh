#!/usr/bin/env bash
# Where a fleet scan's wall time goes (BENCHMARKS.md, "Profile and fixes"): CPU or waiting.
# A lab of N origins in its own process, scanned as scripts/bench-fleet.sh does (every check but
# the idle probe); every 250 ms the CPU used by the scanner, by the lab and by the whole machine
# (other users of the machine included) is sampled. Prints the CPU the scan used against
# wall time x cores, the drain at the end (the scanner idle, waiting on slow origins), and what
# the DNS-timeout origins cost the recursive resolver's in-flight cap (--dns-in-flight, 32).
#
#   scripts/profile-fleet.sh N [CONCURRENCY] [SCAN OPTIONS...]     (defaults: 10000, 1000)
#
# Environment as bench-fleet.sh: RTT=MS, ZONES=K. ORIGINSCAN_BIN picks another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
C=${2:-1000}
shift $(( $# > 2 ? 2 : $# ))
RTT=${RTT:-0}
ZONES=${ZONES:-0}
BIN=${ORIGINSCAN_BIN:-target/release/originscan}
WORK=$(mktemp -d)
trap 'kill $LAB_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$BIN" lab --count "$N" --block 5 --rtt "$RTT" --zones "$ZONES" --dir "$WORK/lab" > "$WORK/lab.log" 2>&1 &
LAB_PID=$!
for _ in $(seq 1 1800); do [ -s "$WORK/lab/scan-args.txt" ] && break; sleep 0.1; done
read -r -a LAB_ARGS < "$WORK/lab/scan-args.txt"
/usr/bin/time -v "$BIN" scan -i "$WORK/lab/targets.csv" "${LAB_ARGS[@]}" --concurrency "$C" \
  --resolver-rate 10000 --no-progress --no-idle-probe -f json -o "$WORK/scan.json" "$@" 2> "$WORK/scan.time" &
TIME_PID=$!
python3 - "$TIME_PID" "$LAB_PID" > "$WORK/samples.txt" <<'PY'
import sys, time
watch, lab = sys.argv[1], sys.argv[2]
hz = 100.0
def machine():
    v = list(map(int, open("/proc/stat").readline().split()[1:]))
    return sum(v) - v[3] - v[4]
def cpu(pid):
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])  # with reaped children
    except OSError:
        return None
def scanner():
    try:
        for child in open(f"/proc/{watch}/task/{watch}/children").read().split():
            return child
    except OSError:
        return None
child = None
while child is None and cpu(watch) is not None:
    child = scanner(); time.sleep(0.01)
t0 = time.monotonic(); m0, s0, l0 = machine(), cpu(child), cpu(lab)
while True:
    time.sleep(0.25)
    m1, s1, l1 = machine(), cpu(child), cpu(lab)
    if s1 is None or s0 is None:
        break
    print(f"{time.monotonic() - t0:.2f} {(m1 - m0) / hz / 0.25:.2f} {(s1 - s0) / hz / 0.25:.2f} {(l1 - l0) / hz / 0.25:.2f}")
    m0, s0, l0 = m1, s1, l1
PY
wait "$TIME_PID" || true
python3 - "$WORK/scan.json" "$WORK/scan.time" "$WORK/samples.txt" "$WORK/lab/scan-args.txt" "$N" "$C" "$*" <<'PY'
import json, re, sys, os
report = json.load(open(sys.argv[1])); timing = open(sys.argv[2]).read()
samples = [list(map(float, l.split())) for l in open(sys.argv[3]) if l.strip()]
args = open(sys.argv[4]).read().split() + sys.argv[7].split(); n, c = int(sys.argv[5]), int(sys.argv[6])
def field(name):
    return re.search(re.escape(name) + r": (.*)", timing).group(1)
parts = [float(p) for p in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
wall = parts[-1] + 60 * parts[-2]
user, system = float(field("User time (seconds)")), float(field("System time (seconds)"))
cores = os.cpu_count()
lab = sum(s[3] for s in samples) * 0.25
machine = sum(s[1] for s in samples) * 0.25
cap = int(args[args.index("--dns-in-flight") + 1]) if "--dns-in-flight" in args else 32
print(f"machine: {cores} cores; lab of {n} origins, --concurrency {c}, --dns-in-flight {cap}")
print(f"wall {wall:.2f} s; scanner CPU {user + system:.2f} s (user {user:.2f}, sys {system:.2f}) = {(user + system) / wall:.2f} cores; "
      f"lab CPU {lab:.2f} s = {lab / wall:.2f} cores; whole machine {machine / wall:.2f} of {cores} cores "
      f"(others: {max(0.0, machine - lab - user - system) / wall:.2f})")
per_second = {}
for t, _, scanner, lab_cores in samples:
    per_second.setdefault(int(t - 0.01), []).append(scanner + lab_cores)
print("scanner + lab, cores, each second: " + " ".join(f"{sum(v) / len(v):.1f}" for _, v in sorted(per_second.items())))
ordered = sorted(s[2] + s[3] for s in samples)
typical = ordered[len(ordered) // 2] if ordered else 0.0
busy = [s for s in samples if s[2] + s[3] >= typical / 3]
last_busy = busy[-1][0] if busy else 0.0
print(f"drain: scanner and lab under a third of their median ({typical:.2f} cores) for the last "
      f"{max(0.0, wall - last_busy):.2f} s of the scan (waiting on the slowest origins)")
dns_timeout = float(args[args.index("--dns-timeout") + 1]) if "--dns-timeout" in args else 5.0
origins = report["origins"]
slow = [o for o in origins if any(f["code"] == "DNS_TIMEOUT" for f in o["findings"])]
if slow:
    held = min(o["timings_ms"]["dns"] for o in slow) / 1000
    print(f"DNS_TIMEOUT origins: {len(slow)}; the quickest took {held:.2f} s (--dns-timeout {dns_timeout:g}): "
          f"about {len(slow) * held:.0f} slot-seconds of the resolver's {cap}-query in-flight cap, "
          f"which holds {cap * wall:.0f} in {wall:.2f} s ({len(slow) * held / (cap * wall) * 100:.0f}%)")
total_dns = sum(o["timings_ms"].get("dns") or 0 for o in origins) / 1000
print(f"time origins spent resolving (queue for the cap included): {total_dns:.0f} s in all, {total_dns / len(origins):.2f} s each on average")
PY
