#!/usr/bin/env bash
# Peers side by side (BENCHMARKS.md, issue 7 item 5): installs whichever peer is missing, then runs
# scripts/bench-peers.py, which starts one loopback lab and scans the same certificate-bearing
# origins with originscan, sslyze, sslscan, testssl.sh and the `openssl s_client` loop.
#
#   scripts/bench-peers.sh [ORIGINS] [--rtt MS] [--testssl-origins N] [--keep]   (default 200 origins)
#
# sslyze comes from PyPI (with its nassl wheel); sslscan and testssl.sh from Debian (apt-get, as
# root or through sudo). ORIGINSCAN=/path/to/originscan skips the cargo build.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo > /dev/null; then sudo "$@"; else
    echo "bench-peers: need root (or sudo) for: $*" >&2; return 1; fi
}

if ! python3 -m sslyze --help > /dev/null 2>&1; then
  echo "bench-peers: installing sslyze (PyPI)" >&2
  python3 -m pip install --quiet sslyze
fi

packages=()
command -v sslscan > /dev/null || packages+=(sslscan)
# Debian installs testssl.sh as `testssl`; upstream's checkout calls it testssl.sh.
command -v testssl > /dev/null || command -v testssl.sh > /dev/null || packages+=(testssl.sh)
if [ ${#packages[@]} -gt 0 ]; then
  echo "bench-peers: installing ${packages[*]} (Debian)" >&2
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}" > /dev/null; then
    as_root apt-get update -q > /dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}" > /dev/null
  fi
fi

exec python3 scripts/bench-peers.py "$@"
