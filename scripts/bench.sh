#!/usr/bin/env bash
# Runs the Google Benchmark suite (bench/bench_hot_paths.cpp) on 2 torch
# threads and saves the results as JSON in bench/results/, named by date and
# commit, so runs can be compared (compare.py from Google Benchmark's tools,
# or any JSON reader). Extra arguments go to the benchmark binary, e.g.
#   bash scripts/bench.sh --benchmark_filter=VectorSearch
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
mkdir -p bench/results
out="bench/results/$(date +%Y%m%d-%H%M%S)-$(git rev-parse --short HEAD 2>/dev/null || echo nogit).json"
OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" build/clasp_bench --benchmark_out="$out" --benchmark_out_format=json \
  --benchmark_counters_tabular=true "$@"
echo "bench: results in $out"
