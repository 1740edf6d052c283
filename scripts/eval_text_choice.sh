#!/usr/bin/env bash
# Validation comparison of a candidate text model with the shipped one
# (models/text-default): Brown-apertium, DDTP, gettext and Asterisk prompts,
# accuracy@1 both directions, side by side. Usage: scripts/eval_text_choice.sh MODEL_DIR TAG
set -euo pipefail
cd "$(dirname "$0")/.."
CAND=$1; TAG=$2; OUT=reports/text-human; mkdir -p $OUT
for M in models/text-default:teacher $CAND:$TAG; do
  dir=${M%%:*}; name=${M##*:}
  [ -f $OUT/$name-validation.txt ] && continue
  {
  echo "== brown-apertium validation"; ./build/src/clasp text eval -m $dir -i data/brown-mlall.jsonl --split validation --candidates 1000 2>/dev/null | tail -6
  echo "== ddtp validation"; ./build/src/clasp text eval -m $dir -i data/parallel/ddtp.jsonl --split validation --candidates 1000 2>/dev/null | tail -7
  echo "== gettext validation"; ./build/src/clasp text eval -m $dir -i data/parallel/gettext.jsonl --split validation --candidates 1000 2>/dev/null | tail -7
  echo "== asterisk validation (all candidates)"; ./build/src/clasp text eval -m $dir -i data/real/asterisk/manifest.jsonl --split validation --candidates 100000 2>/dev/null | tail -5
  } > $OUT/$name-validation.txt
done
paste -d'|' $OUT/teacher-validation.txt $OUT/$TAG-validation.txt | sed 's/|/   ||   /'
