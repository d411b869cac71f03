#!/usr/bin/env bash
# Measures what a newcomer meets first: how long `make run` takes from a
# fresh build directory to the server's first answer, and the server-side
# took_ms of 100 typical queries against the sample network.
# Usage: bench/skeleton-latency.sh [--warm]   (--warm reuses build/ instead of a fresh one)
# Prints a summary and writes bench/results/<date>-skeleton.json.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--warm" ]]; then
  build=build
else
  build=$(mktemp -d /tmp/vp-bench-build-XXXXXX)
fi
log=$(mktemp /tmp/vp-bench-run-XXXXXX.log)

start=$(date +%s.%N)
make run BUILD="$build" PORT=0 >"$log" 2>&1 &
runner=$!
trap 'kill $runner 2>/dev/null; pkill -f "vindplaats-server --index $build/sample-index" 2>/dev/null || true' EXIT
port=
until [[ -n "$port" ]] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  port=$(sed -n 's|.*serving .* on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log" | head -n1)
  if ! kill -0 $runner 2>/dev/null; then echo "make run failed:"; cat "$log"; exit 1; fi
  sleep 0.1
done
first=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')

took=()
while IFS= read -r q; do
  [[ -z "$q" ]] && continue
  enc=$(printf '%s' "$q" | od -An -tx1 | tr -d ' \n' | sed 's/../%&/g')
  t=$(curl -sf "http://127.0.0.1:$port/v1/search?q=$enc&facets=all" | grep -o '"took_ms":[0-9.]*' | cut -d: -f2)
  took+=("$t")
done < bench/queries/skeleton-100.txt

stats=$(printf '%s\n' "${took[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%s %s %s %d", a[int((NR+1)/2)], a[int(NR*0.95+0.5)], a[NR], NR}')
read -r median p95 max n <<<"$stats"
mode=$([[ "${1:-}" == "--warm" ]] && echo warm || echo fresh)
mkdir -p bench/results
out="bench/results/$(date +%F)-skeleton.json"
printf '{"date":"%s","build":"%s","make_run_to_first_answer_s":%s,"queries":%d,"took_ms_median":%s,"took_ms_p95":%s,"took_ms_max":%s}\n' \
  "$(date -u +%FT%TZ)" "$mode" "$first" "$n" "$median" "$p95" "$max" | tee "$out"
echo "make run ($mode build) to first answer: ${first}s; took_ms over $n queries: median $median, p95 $p95, max $max"
