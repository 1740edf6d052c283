#!/usr/bin/env bash
# The public header compiles on its own, with only include/ on the path,
# and pulls in no torch header.
set -euo pipefail
CXX=${1:?usage: header_alone.sh <c++ compiler> <include dir>}
INC=${2:?}
deps=$("$CXX" -std=c++17 -fsyntax-only -H -I "$INC" -x c++ "$INC/clasp/clasp.h" 2>&1 >/dev/null | grep '^\.' || true)
if grep -qiE "torch|ATen|c10" <<<"$deps"; then
  echo "include/clasp/clasp.h includes a torch header:"; echo "$deps" | grep -iE "torch|ATen|c10"; exit 1
fi
echo "header alone: ok ($(echo "$deps" | wc -l) headers, none from torch)"
