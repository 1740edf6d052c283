#!/usr/bin/env bash
# The runtime library (what include/clasp/clasp.h, the server and the Python
# module are built from) writes nothing to the terminal itself: log lines go
# through spdlog (the program chooses where), progress through
# set_progress_handler, results back to the caller. Only the CLI prints.
# Fails naming every line that prints directly.
set -euo pipefail
SRC=${1:?usage: runtime_does_not_print.sh <src dir>}
cd "$SRC"
hits=$(grep -nE '(^|[^A-Za-z_])(printf|fprintf|vprintf|vfprintf|puts|fputs|putchar|perror)[[:space:]]*\(|std::(cout|cerr|clog)\b' \
  util/*.cpp audio/*.cpp models/*.cpp text/*.cpp speech/*.cpp index/*.cpp serve/*.cpp api/*.cpp || true)
if [ -n "$hits" ]; then
  echo "the runtime library prints directly (use spdlog or a callback):"
  echo "$hits"
  exit 1
fi
echo "runtime sources print nothing directly"
