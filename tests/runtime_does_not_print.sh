#!/usr/bin/env bash
# Nothing but the CLI writes to the terminal itself: neither the runtime
# library (what include/clasp/clasp.h, the server and the Python module are
# built from) nor the research code (data, tts, asr, training, evaluation,
# report). Log lines go through spdlog (the program chooses where), progress
# through set_progress_handler, tables to a stream the caller hands over,
# results back to the caller.
# Fails naming every line that prints directly.
set -euo pipefail
SRC=${1:?usage: runtime_does_not_print.sh <src dir>}
cd "$SRC"
hits=$(grep -nE '(^|[^A-Za-z_])(printf|fprintf|vprintf|vfprintf|puts|fputs|putchar|perror)[[:space:]]*\(|std::(cout|cerr|clog)\b' \
  $(ls -d */ | grep -v '^cli/$' | sed 's,/$,,;s,.*,&/*.cpp &/*.h,') 2>/dev/null || true)
if [ -n "$hits" ]; then
  echo "library code prints directly (use spdlog, a callback or the caller's stream):"
  echo "$hits"
  exit 1
fi
echo "no source outside cli/ prints directly"
