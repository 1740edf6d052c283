#!/usr/bin/env bash
# Builds clasp's libFuzzer targets (fuzz/, docs/hardening.md) with clang and
# ASan + UBSan into build-fuzz/, then runs each one, one after the other, for
# SECONDS on a fresh copy of its seed corpus (fuzz/corpus/<target>/).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 60 (0: build only). TARGETs default to all:
#   manifest audio mo_catalog phone_posteriors word_lexicon wordpiece search_json http_request torch_save
#   safetensors
# Environment: CXX (default /usr/bin/clang++), FUZZ_JOBS (build jobs, default 1),
# FUZZ_FLAGS (extra libFuzzer flags, e.g. "-seed=1").
#
# Exit status: 0 when every target ran clean; 1 when any crashed, leaked,
# reported UB, timed out or exceeded the memory limit (each is named with its
# reproducer file and the command that replays it); 2 on a usage or build error.
# Per-target logs, working corpora and reproducers: build-fuzz/run/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/build-fuzz
ALL_TARGETS=(manifest audio mo_catalog phone_posteriors word_lexicon wordpiece search_json http_request torch_save safetensors)

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && usage

SECONDS_PER_TARGET=60
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then
  SECONDS_PER_TARGET=$1
  shift
elif [[ $# -gt 0 && ! " ${ALL_TARGETS[*]} " == *" $1 "* ]]; then
  echo "fuzz.sh: '$1' is neither a number of seconds nor a target (${ALL_TARGETS[*]})" >&2
  exit 2
fi
TARGETS=("$@")
[[ ${#TARGETS[@]} -eq 0 ]] && TARGETS=("${ALL_TARGETS[@]}")
for t in "${TARGETS[@]}"; do
  if [[ ! " ${ALL_TARGETS[*]} " == *" $t "* ]]; then
    echo "fuzz.sh: unknown target '$t' (expected one of: ${ALL_TARGETS[*]})" >&2
    exit 2
  fi
done

CXX=${CXX:-/usr/bin/clang++}
if ! command -v "$CXX" >/dev/null; then
  echo "fuzz.sh: $CXX not found (install clang, which ships libclang_rt.fuzzer)" >&2
  exit 2
fi

# Build (standalone CMake project in fuzz/, never the main build tree).
if [[ ! -f $BUILD/build.ninja ]]; then
  mkdir -p "$BUILD"
  cmake -S fuzz -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER="$CXX" >"$BUILD/configure.log" 2>&1 || {
    cat "$BUILD/configure.log" >&2
    echo "fuzz.sh: configuring build-fuzz/ failed" >&2
    exit 2
  }
fi
build_targets=()
for t in "${TARGETS[@]}"; do build_targets+=("fuzz_$t"); done
if ! cmake --build "$BUILD" -j "${FUZZ_JOBS:-1}" --target "${build_targets[@]}"; then
  echo "fuzz.sh: building the fuzz targets failed" >&2
  exit 2
fi
[[ $SECONDS_PER_TARGET -eq 0 ]] && { echo "fuzz.sh: built ${build_targets[*]} in build-fuzz/"; exit 0; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Leaks inside the codec libraries libsndfile uses are not clasp's (fuzz/lsan.supp).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/fuzz/lsan.supp:print_suppressions=0}

status=0
summary=()
failures=()
for t in "${TARGETS[@]}"; do
  work=$BUILD/run/$t
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
  [[ -d fuzz/corpus/$t ]] && cp -R "fuzz/corpus/$t/." "$work/corpus/"
  seeds=$(find "$work/corpus" -type f | wc -l)
  flags=(-max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10
         -artifact_prefix="$work/artifacts/" -print_final_stats=1)
  [[ -f fuzz/dict/$t.dict ]] && flags+=(-dict="$ROOT/fuzz/dict/$t.dict")
  # shellcheck disable=SC2206
  flags+=(${FUZZ_FLAGS:-})
  echo "== $t: ${SECONDS_PER_TARGET}s from $seeds seed(s); log build-fuzz/run/$t/fuzz.log"
  rc=0
  start=$(date +%s)
  TMPDIR=$work/tmp "$BUILD/fuzz_$t" "${flags[@]}" "$work/corpus" >"$work/fuzz.log" 2>&1 || rc=$?
  took=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -1)
  files=$(find "$work/corpus" -type f | wc -l)
  kb=$(find "$work/corpus" -type f -printf '%s\n' | awk '{n += $1} END {printf "%.0f", n / 1024}')
  mapfile -t found < <(find "$work/artifacts" -type f | sort)
  if [[ $rc -ne 0 || ${#found[@]} -gt 0 ]]; then
    status=1
    what=$(grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|fuzz invariant failed|terminate called|uncaught exception' \
             "$work/fuzz.log" || echo "libFuzzer exit status $rc")
    summary+=("$(printf '%-18s %6ss %12s %6s files %7s KB   FAILED' "$t" "$took" "${execs:-?}" "$files" "$kb")")
    failures+=("$t: $what")
    for f in "${found[@]}"; do
      failures+=("  reproducer: ${f#"$ROOT"/}")
      failures+=("  replay:     LSAN_OPTIONS=suppressions=fuzz/lsan.supp UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 build-fuzz/fuzz_$t ${f#"$ROOT"/}")
    done
    [[ ${#found[@]} -eq 0 ]] && failures+=("  (no reproducer written; see build-fuzz/run/$t/fuzz.log)")
  else
    summary+=("$(printf '%-18s %6ss %12s %6s files %7s KB   ok' "$t" "$took" "${execs:-?}" "$files" "$kb")")
  fi
  rm -rf "$work/tmp"
done

echo
printf '%-18s %7s %12s %12s %10s   %s\n' target seconds execs corpus size result
printf '%s\n' "${summary[@]}"
if [[ $status -ne 0 ]]; then
  echo
  echo "fuzz.sh: findings:" >&2
  printf '%s\n' "${failures[@]}" >&2
fi
exit $status
