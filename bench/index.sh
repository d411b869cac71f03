#!/usr/bin/env bash
# Indexing alone: Vindplaats against plain Xapian on the same corpus, in
# one run on this machine. Usage: bench/index.sh SIZE (default 100000).
#
# Loads the corpus (bench/run.sh's: the generator with seed 42) with
# `vindplaats-indexer load` into one index and into 2 shards, and through
# vindplaats-peer-xapian with one writer (a run of its own, so that its
# CPU seconds are that load's) and with 2 writer threads, and writes
# bench/results/<date>-index-<label>.{json,md}: offerings/s (wall), the
# CPU seconds each load used (user + system; on a loaded machine the
# steadier figure per core) and per 1,000 offerings, and the ratios
# Vindplaats / plain Xapian (wall and CPU) and 2 shards / 1. The load
# average before and after is written beside them: compare ratios within
# one run, never figures across runs.
#
# VP_BENCH_PEER=0 skips plain Xapian and VP_BENCH_SINGLE=0 the one-index
# load (for a 1,000,000 build time: VP_BENCH_PEER=0 VP_BENCH_SINGLE=0
# bench/index.sh 1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-100000}
build=${BUILD:-build}
label=$( [[ $size -ge 1000000 ]] && echo "$((size / 1000000))M" || echo "$((size / 1000))k" )
work=${VP_BENCH_DIR:-/tmp/vindplaats-bench-$label}
results=bench/results/$(date -u +%F)-index-$label
now=2026-12-01T08:00:00+01:00

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target vindplaats-indexer vindplaats-generate \
  vindplaats-peer-xapian >/dev/null
mkdir -p "$work" bench/results
json=$results.json
: > "$json"

corpus=$work/offerings.jsonl
if [[ ! -s $corpus || $(wc -l < "$corpus") -ne $size ]]; then
  "$build"/vindplaats-generate --count "$size" --seed 42 --base-date 2026-12-01 --out "$corpus"
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# Runs a command under /usr/bin/time; sets secs, cpu, peak_mb.
timed() {
  /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$@"
  local user sys kb
  read -r secs user sys kb < "$work/time.txt"
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
  peak_mb=$((kb / 1024))
}

declare -A rate cpus
record() {  # record SYSTEM SECONDS CPU-SECONDS
  rate[$1]=$(awk -v n="$size" -v s="$2" 'BEGIN {printf "%.0f", n / s}')
  cpus[$1]=$3
  echo "$1 index $label: $size offerings in $2 s, ${rate[$1]} offerings/s, $3 CPU s"
  printf '{"system":"%s","label":"%s","what":"index","offerings":%d,"seconds":%s,"per_second":%s,"cpu_seconds":%s}\n' \
    "$1" "$label" "$size" "$2" "${rate[$1]}" "$([[ $3 == - ]] && echo null || echo "$3")" >> "$json"
}

vp_load() {  # vp_load SYSTEM DIR [OPTION...]
  local system=$1 dir=$2
  shift 2
  rm -rf "$dir"
  timed "$build"/vindplaats-indexer load "$corpus" --index "$dir" --now "$now" "$@" \
    2> "$work/load.log" || { tail -5 "$work/load.log"; exit 1; }
  record "$system" "$secs" "$cpu"
  echo "  $(du -sm "$dir" | cut -f1) MB, peak $peak_mb MB"
  rm -rf "$dir"
}

if [[ ${VP_BENCH_SINGLE:-1} != 0 ]]; then
  vp_load vindplaats "$work/index-1"
fi
vp_load vindplaats-shards-2 "$work/index-2" --shards 2

if [[ ${VP_BENCH_PEER:-1} != 0 ]]; then
  # One query: the peer measures searching after indexing; only its
  # indexing counts here. First one writer alone (its CPU seconds), then
  # one database and 2 shards by 2 threads (the wall clock of the second).
  head -n 1 bench/queries/mix-2000.txt > "$work/one-query.txt"
  rm -rf "$work"/xapian-raw "$work"/xapian-raw.shard-*
  timed "$build"/vindplaats-peer-xapian --offerings "$corpus" --queries "$work/one-query.txt" \
    --db "$work/xapian-raw" --threads 1 --index-threads 1 --label "$label" > "$work/peer.log"
  read -r system _ _ _ _ _ s _ < <(grep ' index ' "$work/peer.log")
  record "$system" "$s" "$cpu"
  rm -rf "$work"/xapian-raw
  timed "$build"/vindplaats-peer-xapian --offerings "$corpus" --queries "$work/one-query.txt" \
    --db "$work/xapian-raw" --threads 1 --index-threads 2 --label "$label" > "$work/peer.log"
  while read -r system _ _ _ _ _ s _; do
    [[ $system == xapian-raw ]] || record "$system" "$s" "-"
  done < <(grep ' index ' "$work/peer.log")
  echo "  (plain Xapian's second process: $cpu CPU s for both its loads together)"
  rm -rf "$work"/xapian-raw "$work"/xapian-raw.shard-*
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

ratio() { awk -v a="${rate[$1]:-0}" -v b="${rate[$2]:-0}" 'BEGIN {if (a > 0 && b > 0) printf "%.2f", a / b; else printf "-"}'; }
# Per core: the inverse ratio of the CPU seconds for the same offerings.
cpu_ratio() { awk -v a="${cpus[$1]:--}" -v b="${cpus[$2]:--}" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf "%.2f", b / a; else printf "-"}'; }
per_k() { awk -v c="${cpus[$1]:--}" -v n="$size" 'BEGIN {if (c + 0 > 0) printf "%.3f", 1000 * c / n; else printf "-"}'; }
{
  echo "# Indexing $label"
  echo
  echo "Same corpus (\`vindplaats-generate --count $size --seed 42\`), same machine, same run"
  echo "(\`bench/index.sh $size\`). Load average before: $load_before; after: $load_after"
  echo "(2 cores, shared): compare the ratios of this run, not figures across runs."
  echo
  echo "| system | offerings/s (wall) | CPU s | CPU s per 1,000 offerings |"
  echo "|---|---|---|---|"
  for s in vindplaats vindplaats-shards-2 xapian-raw xapian-raw-threads-2; do
    [[ -n ${rate[$s]:-} ]] && echo "| $s | ${rate[$s]} | ${cpus[$s]} | $(per_k "$s") |"
  done
  echo
  echo "| ratio | value |"
  echo "|---|---|"
  echo "| Vindplaats / plain Xapian per core (CPU s, one writer each) | $(cpu_ratio vindplaats xapian-raw) |"
  echo "| Vindplaats 2 shards / 1 in CPU s (below 1: sharded costs less in all) | $(awk -v a="${cpus[vindplaats-shards-2]:-0}" -v b="${cpus[vindplaats]:-0}" 'BEGIN {if (a > 0 && b > 0) printf "%.2f", a / b; else printf "-"}') |"
  echo "| Vindplaats / plain Xapian, one writer (wall) | $(ratio vindplaats xapian-raw) |"
  echo "| Vindplaats / plain Xapian, 2 writers (wall) | $(ratio vindplaats-shards-2 xapian-raw-threads-2) |"
  echo "| Vindplaats 2 shards / 1 (wall) | $(ratio vindplaats-shards-2 vindplaats) |"
  echo "| plain Xapian 2 threads / 1 (wall) | $(ratio xapian-raw-threads-2 xapian-raw) |"
} > "$results.md"
cat "$results.md"
echo "results: $json, $results.md"
