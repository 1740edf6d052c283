#!/usr/bin/env bash
# The main job for a newcomer: install, build, then the search demo on the
# shipped model. It builds a small multilingual Speech Brown corpus (English,
# Spanish, Catalan, French, Italian) whose test sentences are spoken by voices
# held out of training, joins those test clips into one long recording with
# pauses, indexes it, measures how often each sentence's own text (and its
# English source, for the translations) finds its moment in the recording,
# and prints example searches in several languages.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${CLASP_QUICKSTART_SENTENCES:-300}
C=build/src/clasp
bash scripts/setup.sh
bash scripts/build.sh
mkdir -p data
[ -f data/brown.jsonl ] || $C data brown -o data/brown.jsonl
$C data translate -i data/brown.jsonl --to es,ca,fr,it --limit "$N" -o data/quickstart.jsonl
$C data synth -i data/quickstart.jsonl -o data/quickstart
$C data longform -i data/quickstart/manifest.jsonl --split test --minutes 30 -o data/demo
# The demo index is rebuilt each time (3 s): an index refuses queries with
# another model, and a pull may have brought a new shipped default.
rm -rf data/demo-index
$C index add data/demo --index data/demo-index
$C index status --index data/demo-index
echo
echo "== Each test sentence's text as the query; right = its recording span within 1 s =="
$C index eval --truth data/demo/truth.jsonl --index data/demo-index
$C index eval --truth data/demo/truth.jsonl --index data/demo-index --query-manifest data/quickstart.jsonl --query-langs en
echo "== The same with phonetic search (each query in its own language) =="
$C index eval --truth data/demo/truth.jsonl --index data/demo-index --phonetic
echo
echo "== Example searches =="
# The first test sentence of each language, typed as a query.
for lang in en es fr it; do
  q=$(node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").split("\n").filter(Boolean)
    .map(JSON.parse).find(p=>p.lang===process.argv[2]); if(l) console.log(l.text)' data/demo/truth.jsonl "$lang")
  [ -n "$q" ] || continue
  echo "query [$lang]: $q"
  $C search "$q" --index data/demo-index -k 3 --query-lang "$lang"
  echo "  by meaning alone (no query language):"
  $C search "$q" --index data/demo-index -k 3
  echo "  phonetic:"
  $C search "$q" --index data/demo-index -k 3 --phonetic --lang "$lang"
  echo
done
echo "Serve it in a browser with: $C serve --index data/demo-index   (then open http://127.0.0.1:8080/)"
