#!/bin/sh
# originscan-nightly: the README's nightly scan. Scans every origin of an export, compares with
# the last good night, and keeps tonight's report as the next baseline only when the run
# succeeded (exit 0): a night whose gate tripped (exit 1) keeps alerting until the finding is
# fixed, and a failed run (exit 2) never becomes a baseline.
#
#   REPORTS  where reports are kept                 (default /var/lib/originscan)
#   INPUT    the export to scan; unset: the AWS CLI  (aws cloudfront list-distributions)
#            exports one into $REPORTS/distributions.json
#   NIGHT    tonight's name                         (default: today's date, YYYY-MM-DD)
#   FAIL_ON_NEW  the gate on new findings           (default high)
# Extra arguments are passed to `originscan scan` (e.g. --origin-request-policies FILE).
set -eu
REPORTS=${REPORTS:-/var/lib/originscan}
NIGHT=${NIGHT:-$(date +%F)}
FAIL_ON_NEW=${FAIL_ON_NEW:-high}
ORIGINSCAN=${ORIGINSCAN:-originscan}
mkdir -p "$REPORTS"
if [ -z "${INPUT:-}" ]; then
    INPUT="$REPORTS/distributions.json"
    aws cloudfront list-distributions --output json > "$INPUT.tmp"
    mv "$INPUT.tmp" "$INPUT"
fi
# Night one has no baseline: --baseline-optional treats it as empty (every finding new).
"$ORIGINSCAN" scan -i "$INPUT" "$@" \
    --baseline "$REPORTS/baseline.json" --baseline-optional --fail-on-new "$FAIL_ON_NEW" \
    -f json -o "$REPORTS/$NIGHT.json" \
    && cp "$REPORTS/$NIGHT.json" "$REPORTS/baseline.json"
