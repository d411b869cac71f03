#!/usr/bin/env bash
# Indexing per core and the sharded speed-up on a shared machine: the same
# offerings loaded in alternating rounds, so every system sees the same
# load. Usage: bench/index-rounds.sh SIZE [ROUNDS] (defaults 20000, 3).
#
# Each round loads the first SIZE offerings of the corpus (bench/run.sh's:
# the generator with seed 42) with `vindplaats-indexer load` into one index,
# through vindplaats-peer-xapian with one writer, and with
# `vindplaats-indexer load --shards 2`, one after the other, each under
# /usr/bin/time. Prints and writes bench/results/<date>-index-rounds-<label>.md:
# per load the wall seconds, CPU seconds (user + system) per 1,000
# offerings and the load average (1 minute) before it; then per round
# Vindplaats / plain Xapian per core (inverse ratio of CPU seconds) and
# 2 shards / 1 on the wall clock. The wall-clock ratio means something only
# when the load average stays under the number of cores. VP_BENCH_TAG=T
# names the results file ...-T.md (to keep two runs of one day apart).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-20000}
rounds=${2:-3}
build=${BUILD:-build}
label=$( [[ $size -ge 1000000 ]] && echo "$((size / 1000000))M" || echo "$((size / 1000))k" )
work=${VP_BENCH_DIR:-/tmp/vindplaats-bench-rounds-$label}
results=bench/results/$(date -u +%F)-index-rounds-$label${VP_BENCH_TAG:+-$VP_BENCH_TAG}.md
now=2026-12-01T08:00:00+01:00

cmake --build "$build" -j"$(nproc)" --target vindplaats-indexer vindplaats-generate \
  vindplaats-peer-xapian >/dev/null
mkdir -p "$work" bench/results
corpus=$work/offerings.jsonl
if [[ ! -s $corpus || $(wc -l < "$corpus") -ne $size ]]; then
  "$build"/vindplaats-generate --count "$size" --seed 42 --base-date 2026-12-01 --out "$corpus"
fi
head -n 1 bench/queries/mix-2000.txt > "$work/one-query.txt"

# Runs a command under /usr/bin/time; sets wall, cpu, load.
timed() {
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f '%e %U %S' -o "$work/time.txt" "$@" > "$work/out.log" 2>&1 ||
    { tail -5 "$work/out.log"; exit 1; }
  local user sys
  read -r wall user sys < "$work/time.txt"
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
}

per_k() { awk -v c="$1" -v n="$size" 'BEGIN {printf "%.3f", 1000 * c / n}'; }
rows=()
summary=()
for r in $(seq 1 "$rounds"); do
  rm -rf "$work/vp-1"
  timed "$build"/vindplaats-indexer load "$corpus" --index "$work/vp-1" --now "$now"
  vp_wall=$wall vp_cpu=$cpu
  rows+=("| $r | vindplaats, one index | $wall | $cpu | $(per_k "$cpu") | $load |")
  rm -rf "$work/vp-1" "$work/raw"
  timed "$build"/vindplaats-peer-xapian --offerings "$corpus" --queries "$work/one-query.txt" \
    --db "$work/raw" --threads 1 --index-threads 1 --label "$label"
  raw_cpu=$cpu
  rows+=("| $r | plain Xapian, one writer | $wall | $cpu | $(per_k "$cpu") | $load |")
  rm -rf "$work/raw" "$work/vp-2"
  timed "$build"/vindplaats-indexer load "$corpus" --index "$work/vp-2" --now "$now" --shards 2
  rows+=("| $r | vindplaats, \`--shards 2\` | $wall | $cpu | $(per_k "$cpu") | $load |")
  rm -rf "$work/vp-2"
  summary+=("| $r | $(awk -v a="$vp_cpu" -v b="$raw_cpu" 'BEGIN {printf "%.2f", b / a}') | $(awk -v a="$vp_wall" -v b="$wall" 'BEGIN {printf "%.2f", a / b}') |")
  echo "round $r done"
done
{
  echo "# Indexing $label in alternating rounds"
  echo
  echo "\`bench/index-rounds.sh $size $rounds\` on $(date -u '+%F %H:%M') UTC, $(nproc) cores"
  echo "(shared): the first $size offerings of \`vindplaats-generate --seed 42\`."
  echo
  echo "| round | load | wall s | CPU s | CPU s per 1,000 | load average before |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "| round | Vindplaats / plain Xapian per core (CPU) | 2 shards / 1 (wall) |"
  echo "|---|---|---|"
  printf '%s\n' "${summary[@]}"
} > "$results"
cat "$results"
echo "results: $results"
