#!/usr/bin/env bash
# The source folders form layers, runtime below research below the CLI:
#   runtime:  util < audio, models < data < tts, text < speech < index < serve < api
#   research: asr, train < eval < report, bench;  then cli
# A file may include its own folder and folders of lower layers only, so the
# runtime library (libclasp, the server, the Python module) never depends on
# training, evaluation, reports or benchmarks. Fails naming every include
# that runs back up (or sideways, between two folders of one layer).
set -euo pipefail
SRC=${1:?usage: layers_do_not_run_back_up.sh <src dir>}
cd "$SRC"
declare -A rank=([util]=0 [audio]=1 [models]=1 [data]=2 [tts]=3 [text]=3 [speech]=4 [index]=5 [serve]=6 [api]=7
                 [asr]=8 [train]=8 [eval]=9 [report]=10 [bench]=10 [cli]=11)
bad=0
for dir in */; do
  dir=${dir%/}
  if [ -z "${rank[$dir]+x}" ]; then echo "folder $dir/ has no layer: add it to ${BASH_SOURCE[0]}"; bad=1; continue; fi
  while IFS=: read -r file line inc; do
    to=${inc#*\"}; to=${to%%/*}
    [ "$to" = "$dir" ] && continue
    [ -z "${rank[$to]+x}" ] && continue  # not a source folder (e.g. include/clasp)
    if [ "${rank[$to]}" -ge "${rank[$dir]}" ]; then
      echo "$file:$line includes $to/ (layer ${rank[$to]}) from $dir/ (layer ${rank[$dir]})"
      bad=1
    fi
  done < <(grep -nE '^#include "[a-z_]+/' "$dir"/*.h "$dir"/*.cpp 2>/dev/null | sed -E 's/^([^:]+):([0-9]+):/\1:\2:/')
done
[ $bad = 0 ] && echo "every include stays in its folder or goes down a layer"
exit $bad
