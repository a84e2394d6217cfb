#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets/) for SECONDS each (default 60), with cargo-fuzz
# and libFuzzer. cargo-fuzz needs nightly compiler flags; RUSTC_BOOTSTRAP=1 lets the stable
# toolchain accept them. A crash fails the script and leaves its input in fuzz/artifacts/.
#
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECONDS_EACH=${1:-60}
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
cargo fuzz build --fuzz-dir . -O
LOG=$(mktemp)
for target in tls_records http_response inputs lambda_lint; do
  if ! cargo fuzz run --fuzz-dir . -O "$target" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 > "$LOG" 2>&1; then
    tail -40 "$LOG"
    echo "fuzz target $target: CRASH (input saved under fuzz/artifacts/$target/)"
    exit 1
  fi
  grep -E "^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs" "$LOG" || true
  echo "fuzz target $target: no crash in ${SECONDS_EACH} s"
done
rm -f "$LOG"
