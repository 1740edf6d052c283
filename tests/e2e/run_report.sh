#!/usr/bin/env bash
# End-to-end: synthesise a tiny corpus (English test clips + Spanish
# translations), run `clasp eval` on its own, then `clasp report`, and check
# the page in headless Chromium against the separate eval's JSON.
# Usage: run_report.sh <clasp binary>
set -euo pipefail
CLASP=${1:?usage: run_report.sh <clasp binary>}
HERE=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null || { echo "report e2e: node missing (run scripts/setup.sh)"; exit 1; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "report e2e: chromium missing (run scripts/setup.sh)"; exit 1; }

T=$(mktemp -d /tmp/clasp-report-XXXXXX)
trap 'rm -rf "$T"' EXIT
cp "$HERE/report_corpus.jsonl" "$T/m.jsonl"
"$CLASP" data synth -i "$T/m.jsonl" -o "$T/corpus" --engines espeak,flite --holdout-voices '' -j 1 >"$T/synth.log" 2>&1 \
  || { cat "$T/synth.log"; exit 1; }
"$CLASP" eval -i "$T/corpus/manifest.jsonl" --json "$T/eval.json" >"$T/eval.log" 2>&1 || { cat "$T/eval.log"; exit 1; }
"$CLASP" report -i "$T/corpus/manifest.jsonl" -o "$T/out/report.html" --asr-dir "$T/asr" --threads 1 \
  --speed-clips 3 --projection-clips 6 >"$T/report.log" 2>&1 || { cat "$T/report.log"; exit 1; }
[ -s "$T/out/report.json" ] || { echo "report e2e: no report.json beside the HTML"; exit 1; }
node "$HERE/report_page.mjs" "$T/out/report.html" "$T/eval.json" "${E2E_SCREENSHOT:-}"
