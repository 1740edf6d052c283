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
