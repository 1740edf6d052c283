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
"$CLASP" eval -i "$T/corpus/manifest.jsonl" --rerank 50 --json "$T/eval.json" >"$T/eval.log" 2>&1 || { cat "$T/eval.log"; exit 1; }
# The soft protocol broken down by engine covers every query once, and a
# language with one engine has the same figures as its overall soft row.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const [lang, L] of Object.entries(r.languages)) {
    const groups = Object.values(L.by_engine_soft || {});
    const n = groups.reduce((s, m) => s + m.queries, 0);
    if (n !== L.clips) throw new Error(lang + ": by_engine_soft covers " + n + " of " + L.clips + " queries");
    if (groups.length === 1 && JSON.stringify(groups[0]) !== JSON.stringify(L.text_to_audio.soft))
      throw new Error(lang + ": one engine, but by_engine_soft differs from the soft row");
    // --rerank: the two-stage figures, for every query of the language.
    const S = (r.two_stage || {languages: {}}).languages[lang];
    if (!S || S.hard.queries !== L.clips || S.soft.queries !== L.clips)
      throw new Error(lang + ": eval --rerank gave no two-stage figures for its " + L.clips + " queries");
  }
  if (r.two_stage.top_k !== 50) throw new Error("eval --rerank 50: two_stage.top_k is " + r.two_stage.top_k);
  // The shipped model glosses the Spanish queries with its lexicon, and
  // the two-stage cross-lingual figures cover every translation.
  if (!/clasp-default\/lexicon\.json$/.test(r.two_stage.lexicon))
    throw new Error("eval --rerank: the model'"'"'s lexicon was not used (" + r.two_stage.lexicon + ")");
  const x = (r.two_stage.cross_lingual || {}).es;
  if (!x || x.hard.queries !== r.cross_lingual.es.hard.queries)
    throw new Error("eval --rerank: no two-stage figures for the Spanish queries");' "$T/eval.json"
# A lexicon file that is not there is refused by name before any work.
if "$CLASP" eval -i "$T/corpus/manifest.jsonl" --rerank 50 --lexicon "$T/nolex.json" >"$T/nolex.log" 2>&1; then
  echo "report e2e: eval --lexicon with a missing file succeeded"; exit 1
fi
grep -q "nolex.json: no such lexicon" "$T/nolex.log" || { cat "$T/nolex.log"; exit 1; }
# A phone-costs file that is not there is refused by name before any work.
if "$CLASP" eval -i "$T/corpus/manifest.jsonl" --rerank 50 --phone-costs "$T/nope.json" >"$T/nope.log" 2>&1; then
  echo "report e2e: eval --phone-costs with a missing file succeeded"; exit 1
fi
grep -q "nope.json: no such phone-costs file" "$T/nope.log" || { cat "$T/nope.log"; exit 1; }
# An ensemble of the model with itself is the model itself (the summed
# vectors are normalised again), so every figure must be the same. (The
# first run's --rerank adds its two-stage figures beside them, changing none.)
"$CLASP" eval -i "$T/corpus/manifest.jsonl" -m "$HERE/../../models/clasp-default" \
  --ensemble "$HERE/../../models/clasp-default" --json "$T/eval-ens.json" >"$T/eval-ens.log" 2>&1 \
  || { cat "$T/eval-ens.log"; exit 1; }
node -e '
  const fs = require("fs");
  const a = JSON.parse(fs.readFileSync(process.argv[1], "utf8")), b = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  if (!b.ensemble || b.ensemble.length !== 1) throw new Error("eval --ensemble: the report does not name the ensemble");
  const close = (x, y, path) => {
    if (typeof x === "number") { if (Math.abs(x - y) > 1e-6) throw new Error("ensemble of one model differs at " + path); return; }
    if (x && typeof x === "object") for (const k of Object.keys(x)) close(x[k], y[k], path + "." + k);
  };
  close(a.languages, b.languages, "languages");
  close(a.cross_lingual, b.cross_lingual, "cross_lingual");' "$T/eval.json" "$T/eval-ens.json"
# --real: the same tiny corpus again as a "real-speech" corpus (named by its
# folder, "corpus"), so its section's cells can be checked against the eval too.
# --ablations: the two eval reports as ablation runs (a dot in a name is kept
# out of the JSON paths), beside a JSON file that is not one (skipped).
mkdir "$T/abl"
cp "$T/eval.json" "$T/abl/a-eval.json"
cp "$T/eval-ens.json" "$T/abl/b.0-eval.json"
echo '{"notes": []}' >"$T/abl/notes.json"
"$CLASP" report -i "$T/corpus/manifest.jsonl" -o "$T/out/report.html" --asr-dir "$T/asr" --threads 1 \
  --speed-clips 3 --projection-clips 6 --real "$T/corpus/manifest.jsonl" --ablations "$T/abl" >"$T/report.log" 2>&1 \
  || { cat "$T/report.log"; exit 1; }
[ -s "$T/out/report.json" ] || { echo "report e2e: no report.json beside the HTML"; exit 1; }
node "$HERE/report_page.mjs" "$T/out/report.html" "$T/eval.json" "${E2E_SCREENSHOT:-}"
