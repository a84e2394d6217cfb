#!/bin/sh
# originscan-nightly: the README's nightly scan. Scans every origin of the AWS account (or of an
# export), compares with the last good night, and keeps tonight's report as the next baseline
# only when the run succeeded (exit 0): a night whose gate tripped (exit 1) keeps alerting until
# the finding is fixed, and a failed run (exit 2) never becomes a baseline. With TEXTFILE set,
# tonight's report is also written as OpenMetrics for node_exporter's textfile collector,
# whenever the scan finished (exit 0 or 1: a tripped gate is what the alert is for).
#
#   REPORTS  where reports are kept                 (default /var/lib/originscan)
#   INPUT    the export to scan; unset: the account is read from the AWS API (`scan --aws`,
#            credentials from the SDK's chain) and what was read is kept as
#            $REPORTS/distributions.json (`--aws-save`), an export `-i` replays
#   NIGHT    tonight's name                         (default: today's date, YYYY-MM-DD)
#   FAIL_ON_NEW  the gate on new findings           (default high)
#   TEXTFILE the metrics file, e.g. /var/lib/node_exporter/textfile_collector/originscan.prom
#            (unset: none); written atomically, so the collector never reads half a file
# Extra arguments are passed to `originscan scan` (e.g. --profile NAME, or
# --origin-request-policies FILE with an export).
set -eu
REPORTS=${REPORTS:-/var/lib/originscan}
NIGHT=${NIGHT:-$(date +%F)}
FAIL_ON_NEW=${FAIL_ON_NEW:-high}
ORIGINSCAN=${ORIGINSCAN:-originscan}
mkdir -p "$REPORTS"
if [ -n "${INPUT:-}" ]; then
    set -- -i "$INPUT" "$@"
else
    set -- --aws --aws-save "$REPORTS/distributions.json" "$@"
fi
# Night one has no baseline: --baseline-optional treats it as empty (every finding new).
status=0
"$ORIGINSCAN" scan "$@" \
    --baseline "$REPORTS/baseline.json" --baseline-optional --fail-on-new "$FAIL_ON_NEW" \
    -f json -o "$REPORTS/$NIGHT.json" || status=$?
if [ -n "${TEXTFILE:-}" ] && [ "$status" -le 1 ]; then
    mkdir -p "$(dirname "$TEXTFILE")"
    "$ORIGINSCAN" merge "$REPORTS/$NIGHT.json" -f openmetrics -o "$TEXTFILE"
fi
if [ "$status" -eq 0 ]; then
    cp "$REPORTS/$NIGHT.json" "$REPORTS/baseline.json"
fi
exit "$status"
