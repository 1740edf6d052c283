#!/usr/bin/env bash
# A program outside the tree, built with find_package(clasp) against the
# installed library, indexes a folder and searches it.
# Usage: installed_example.sh <build dir> <clasp binary>
set -euo pipefail
BUILD=${1:?usage: installed_example.sh <build dir> <clasp binary>}
CLASP=${2:?}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/clasp-api-XXXXXX)
trap 'rm -rf "$T"' EXIT
cmake --install "$BUILD" --prefix "$T/prefix" >/dev/null
cmake -S "$HERE/../../examples" -B "$T/ex" -G Ninja -DCMAKE_PREFIX_PATH="$T/prefix" >"$T/configure.log" 2>&1 ||
  { cat "$T/configure.log"; exit 1; }
cmake --build "$T/ex" >"$T/build.log" 2>&1 || { cat "$T/build.log"; exit 1; }
cp "$HERE/../e2e/sentences.jsonl" "$T/m.jsonl"
"$CLASP" data synth -i "$T/m.jsonl" -o "$T/corpus" --engines espeak --holdout-voices '' -j 1 >"$T/synth.log" 2>&1
out=$("$T/ex/clasp_search_example" "$T/corpus/audio" "$T/index" "the jury said the election was fair" en)
echo "$out"
grep -q "files added" <<<"$out" || { echo "no add summary"; exit 1; }
[ "$(grep -c '\.wav' <<<"$out")" -eq 3 ] || { echo "expected 3 hits"; exit 1; }
sed -n 2p <<<"$out" | grep -q "e1\.wav" || { echo "the spoken sentence is not first"; exit 1; }
# Log lines reach the program's callback: a damaged phonetic candidate index
# is rebuilt with a warning, which the example prints as "clasp warning: ...".
[ -f "$T/index/phone-grams.bin" ] || { echo "no phone-grams.bin after a phrase search"; exit 1; }
printf 'damaged' | dd of="$T/index/phone-grams.bin" bs=1 seek=40 conv=notrunc status=none
"$T/ex/clasp_search_example" "$T/corpus/audio" "$T/index" "the jury said the election was fair" en \
  >"$T/again.out" 2>"$T/again.err"
grep -q "^clasp warning: .*building it again" "$T/again.err" || { echo "no warning through the log callback:"; cat "$T/again.err"; exit 1; }
[ "$(grep -c '\.wav' "$T/again.out")" -eq 3 ] || { echo "expected 3 hits after the rebuild"; exit 1; }
