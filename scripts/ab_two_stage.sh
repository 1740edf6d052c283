#!/usr/bin/env bash
# Two-stage searches under ApacheBench (`ab`, Debian's apache2-utils) at 32
# concurrent clients, against `clasp serve` on a copy of an index:
#
#   scripts/ab_two_stage.sh LABEL CPUS TORCH_THREADS [REQUESTS] [INDEX]
#   scripts/ab_two_stage.sh two-cores 0,1 1 1500        # both cores, 1 torch thread per query
#   scripts/ab_two_stage.sh one-core 0 1 1000           # the server pinned to one core
#
# The server runs under `taskset -c CPUS`; ab itself may use both cores.
# Appends one line (queries/s, p50 / p99 ms, failures, the longest connect,
# server RSS before and after) to reports/hardening/ab-two-stage.txt and
# keeps ab's own report beside it. CLASP=path picks another clasp binary.
set -euo pipefail
cd "$(dirname "$0")/.."
label=$1 cpus=$2 threads=$3 n=${4:-1500} index=${5:-data/demo-index}
command -v ab >/dev/null || { echo "ab is not installed: apt-get install apache2-utils" >&2; exit 1; }
[ -f "$index/index.sqlite" ] || { echo "$index: not an index (run scripts/quickstart.sh for data/demo-index)" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
cp -r "$index" "$work/ix"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fail() { echo "$1" >&2; cat "$work/serve.log" >&2; exit 1; }
taskset -c "$cpus" "${CLASP:-build/src/clasp}" serve --index "$work/ix" --port "$port" --threads "$threads" \
  --token t >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 150); do
  curl -sf "http://127.0.0.1:$port/api/status" >/dev/null && break
  kill -0 "$pid" 2>/dev/null || fail "clasp serve exited:"
  sleep 0.2
done
q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("the committee approved the budget for the new school"))')
url="http://127.0.0.1:$port/api/search?q=$q&qlang=en&k=10"
answer=$(curl -sf "$url") || fail "no answer from the server on port $port:"
grep -q '"mode":"meaning+sounds"' <<<"$answer" || fail "the answer is not a two-stage search: ${answer:0:300}"
ab -q -n 64 -c 32 "$url" >"$work/warm-up.txt" 2>&1 || { cat "$work/warm-up.txt" >&2; fail "the warm-up failed:"; }
rss0=$(ps -o rss= -p "$pid") || fail "the server died during the warm-up:"
mkdir -p reports/hardening
out=reports/hardening/ab-two-stage-$label.txt
ab -n "$n" -c 32 "$url" >"$out" 2>&1 || { cat "$out" >&2; fail "ab failed:"; }
rss1=$(ps -o rss= -p "$pid") || fail "the server died under load:"
rps=$(awk '/Requests per second/{print $4}' "$out")
failed=$(awk '/Failed requests/{print $3}' "$out")
non2xx=$(awk '/Non-2xx responses/{print $3}' "$out")
p50=$(awk '/^  50%/{print $2}' "$out")
p99=$(awk '/^  99%/{print $2}' "$out")
connect=$(awk '/^Connect:/{print $6}' "$out")
line="$(date -u +%F) $label: server cpus $cpus, torch threads $threads, $n requests at -c 32: $rps queries/s, p50 $p50 ms, p99 $p99 ms, failed $failed, non-2xx ${non2xx:-0}, longest connect $connect ms, server RSS $((rss0 / 1024)) -> $((rss1 / 1024)) MB"
echo "$line" | tee -a reports/hardening/ab-two-stage.txt
