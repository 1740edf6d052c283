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
# The paper's kind of ASR baseline: a Hugging Face Wav2Vec2ForCTC checkpoint (the tiny random parity fixture:
# its transcripts are noise, the pipeline is what is checked), resumable, its transcripts never mixed with
# another recogniser's.
CTC="$HERE/../fixtures/hf/wav2vec2-ctc-tiny"
"$CLASP" baseline asr -i "$T/corpus/manifest.jsonl" --asr-model "$CTC" -o "$T/asr-ctc" --threads 1 \
  --json "$T/ctc1.json" >"$T/ctc1.log" 2>&1 || { cat "$T/ctc1.log"; exit 1; }
"$CLASP" baseline asr -i "$T/corpus/manifest.jsonl" --asr-model "$CTC" -o "$T/asr-ctc" --threads 1 \
  --json "$T/ctc2.json" >"$T/ctc2.log" 2>&1 || { cat "$T/ctc2.log"; exit 1; }
node -e '
  const fs = require("fs");
  const a = JSON.parse(fs.readFileSync(process.argv[1], "utf8")), b = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  if (a.asr !== "wav2vec2 CTC (wav2vec2-ctc-tiny)") throw new Error("baseline asr --asr-model: recogniser " + a.asr);
  if (!a.speed || !(a.speed.x_realtime > 0)) throw new Error("baseline asr --asr-model: no speed for a fresh run");
  if (b.speed) throw new Error("baseline asr --asr-model: the second run transcribed again instead of resuming");
  if (a.clips < 2 || a.text_to_audio.hard.queries !== a.clips) throw new Error("baseline asr: " + JSON.stringify(a));
  for (const k of ["hits1", "mrr", "mean_rank"])
    if (a.text_to_audio.hard[k] !== b.text_to_audio.hard[k]) throw new Error("resumed run differs in " + k);
  if (!(a.wer >= 0.9)) throw new Error("random CTC weights gave WER " + a.wer + ": a transcript cannot be this good");
  const lines = fs.readFileSync(process.argv[3], "utf8").trim().split("\n").map(JSON.parse);
  if (lines.length !== a.clips || lines.some((l) => !l.asr || !l.asr.startsWith("hf-ctc:")))
    throw new Error("transcripts.jsonl: " + lines.length + " lines for " + a.clips + " clips, each naming its recogniser");' \
  "$T/ctc1.json" "$T/ctc2.json" "$T/asr-ctc/transcripts.jsonl"
# PocketSphinx in the same folder does not reuse the CTC model's transcripts.
"$CLASP" baseline asr -i "$T/corpus/manifest.jsonl" -o "$T/asr-ctc" --threads 1 --json "$T/ps.json" >"$T/ps.log" 2>&1 \
  || { cat "$T/ps.log"; exit 1; }
grep -q "transcripts by another recogniser are not reused" "$T/ps.log" || { cat "$T/ps.log"; exit 1; }
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (!r.speed || !r.asr.startsWith("pocketsphinx")) throw new Error("PocketSphinx reused foreign transcripts");' "$T/ps.json"
# A checkpoint without a CTC head is refused by name before any clip is read.
if "$CLASP" baseline asr -i "$T/corpus/manifest.jsonl" --asr-model "$HERE/../fixtures/hf/wav2vec2-base-tiny" \
  -o "$T/asr-bad" >"$T/bad.log" 2>&1; then
  echo "report e2e: baseline asr with a headless checkpoint succeeded"; exit 1
fi
grep -q "wav2vec2-base-tiny: no CTC head" "$T/bad.log" || { cat "$T/bad.log"; exit 1; }
[ ! -e "$T/asr-bad/transcripts.jsonl" ] || { echo "report e2e: a refused baseline left transcripts"; exit 1; }
"$CLASP" report -i "$T/corpus/manifest.jsonl" -o "$T/out/report.html" --asr-dir "$T/asr" --threads 1 --asr-model "$CTC" \
  --speed-clips 3 --projection-clips 6 --real "$T/corpus/manifest.jsonl" --ablations "$T/abl" >"$T/report.log" 2>&1 \
  || { cat "$T/report.log"; exit 1; }
[ -s "$T/out/report.json" ] || { echo "report e2e: no report.json beside the HTML"; exit 1; }
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const A = (r.asr_models || {})["wav2vec2-ctc-tiny"];
  if (!A || A.asr !== "wav2vec2 CTC (wav2vec2-ctc-tiny)" || !r.speed.asr_models["wav2vec2-ctc-tiny"])
    throw new Error("report --asr-model: no CTC baseline (or its speed) in report.json");' "$T/out/report.json"
node "$HERE/report_page.mjs" "$T/out/report.html" "$T/eval.json" "${E2E_SCREENSHOT:-}"
