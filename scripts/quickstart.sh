#!/usr/bin/env bash
# The main job for a newcomer: install, build, then build a small
# multilingual Speech Brown corpus (English + Spanish, Catalan, French,
# Italian) with held-out test voices, and print its summary.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${CLASP_QUICKSTART_SENTENCES:-200}
bash scripts/setup.sh
bash scripts/build.sh
mkdir -p data
build/src/clasp data brown -o data/brown.jsonl
build/src/clasp data translate -i data/brown.jsonl --to es,ca,fr,it --limit "$N" -o data/quickstart.jsonl
build/src/clasp data synth -i data/quickstart.jsonl -o data/quickstart
build/src/clasp bench --mel-seconds 300 --synth-clips 5
