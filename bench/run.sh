#!/usr/bin/env bash
# The benchmark: Vindplaats against its peers on the same corpus and the
# same queries, in one run on this machine. Usage: bench/run.sh SIZE
# (100000 for `make bench`, 1000000 for `make bench-full`).
#
# Steps: install what is missing, build, generate the corpus (fixed seed),
# index it with Vindplaats (one index, then 2 shards), plain Xapian (the
# floor: one writer, then 2 writer threads), SQLite FTS5 and PostgreSQL,
# replay the query mix
# in process (1 and 2 threads) and over HTTP (wrk, 32 connections), measure
# the server's memory under load, and write bench/results/<date>-<size>.json
# with a Markdown table and an SVG chart beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-100000}
build=${BUILD:-build}
label=$( [[ $size -ge 1000000 ]] && echo "$((size / 1000000))M" || echo "$((size / 1000))k" )
work=${VP_BENCH_DIR:-/tmp/vindplaats-bench-$label}
results=bench/results/$(date -u +%F)-$label
mix=bench/queries/mix-2000.txt
suggest=bench/queries/suggest-2000.txt
now=2026-12-01T08:00:00+01:00
duration=${VP_BENCH_SECONDS:-20}

scripts/install-deps.sh
bench/peers/install-deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
mkdir -p "$work" bench/results
json=$results.json
: > "$json"

echo "== corpus: $size offerings"
corpus=$work/offerings.jsonl
if [[ ! -s $corpus || $(wc -l < "$corpus") -ne $size ]]; then
  "$build"/vindplaats-generate --count "$size" --seed 42 --base-date 2026-12-01 --out "$corpus"
fi

# Loads the corpus into DIR with the extra indexer options, timed, and
# reports it as SYSTEM. Usage: load_timed SYSTEM DIR [OPTION...]
load_timed() {
  local system=$1 dir=$2
  shift 2
  rm -rf "$dir"
  /usr/bin/time -f '%e %M' -o "$work/time.txt" \
    "$build"/vindplaats-indexer load "$corpus" --index "$dir" "$@" 2> "$work/load.log" || {
      tail -5 "$work/load.log"; exit 1; }
  local secs peak_kb mb rate
  read -r secs peak_kb < "$work/time.txt"
  mb=$(du -sm "$dir" | cut -f1)
  rate=$(awk -v n="$size" -v s="$secs" 'BEGIN {printf "%.0f", n / s}')
  echo "$system index $label: $size offerings in $secs s, $rate offerings/s, size $mb MB, peak $((peak_kb / 1024)) MB"
  printf '{"system":"%s","label":"%s","what":"index","offerings":%d,"seconds":%s,"per_second":%s,"size_mb":%s,"peak_rss_mb":%d}\n' \
    "$system" "$label" "$size" "$secs" "$rate" "$mb" "$((peak_kb / 1024))" >> "$json"
}

echo "== vindplaats: indexing"
# With the queries' clock, as a deployment indexes and refreshes on the
# days it answers: which offerings have ended is then the live term.
load_timed vindplaats "$work/index" --now "$now"

echo "== vindplaats: indexing into 2 shards (load --shards 2)"
load_timed vindplaats-shards-2 "$work/index-2" --shards 2 --now "$now"
rm -rf "$work/index-2"

echo "== vindplaats: indexing through the OAI-PMH connector over loopback"
VP_BENCH_RUNS=1 VP_BENCH_DIR="$work/harvest" BUILD="$build" bench/harvest.sh "$size" > "$work/harvest.log"
oai_rate=$(python3 -c "import json; print(json.load(open('bench/results/$(date -u +%F)-harvest-$label.json'))['harvest_records_per_s']['median'])")
echo "vindplaats harvest $label: $oai_rate records/s (OAI-PMH oai_dc over loopback; bench/results/$(date -u +%F)-harvest-$label.md)"
printf '{"system":"vindplaats","label":"%s","what":"harvest-oai","records":%d,"per_second":%s}\n' \
  "$label" "$size" "$oai_rate" >> "$json"

echo "== vindplaats: engine in process (no answer cache)"
"$build"/vindplaats-bench-engine --index "$work/index" --queries "$mix" --suggest "$suggest" \
  --threads 2 --now "$now" --json "$json" --label "$label"

# Campaign links and top queries repeat: 10,000 draws from the mix by
# Zipf's law (s = 1), without and then with the answer cache (from empty).
echo "== vindplaats: engine in process, Zipfian mix, uncached and cached"
zipf=$work/zipf-10000.txt
"$build"/vindplaats-bench-engine --index "$work/index" --queries "$mix" --threads 2 --now "$now" \
  --zipf 1 --draws 10000 --zipf-out "$zipf" --cache 32 --json "$json" --label "$label"

echo "== vindplaats: server over HTTP (wrk, 32 connections, ${duration}s)"
# Starts the server with the answer cache of CACHE_MB (0: none) and sets
# $server and $port. wrk's connections all come from one address, as
# through a proxy: no per-address limit.
start_server() {
  rm -f "$work/port"
  "$build"/vindplaats-server --index "$work/index" --port 0 --port-file "$work/port" --threads 2 \
    --no-access-log --per-ip-limit 0 --now "$now" --cache-mb "$1" 2> "$work/server.log" &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.1; done
  port=$(cat "$work/port")
}
# Replays FILE for the reported WHAT. Usage: replay WHAT FILE
replay() {
  local what=$1 file=$2 out
  VP_MIX=$file wrk -t2 -c32 -d2s -s bench/wrk-mix.lua "http://127.0.0.1:$port" >/dev/null  # warm
  out=$(VP_MIX=$file wrk -t2 -c32 -d"${duration}s" -s bench/wrk-mix.lua "http://127.0.0.1:$port" | grep '^WRK')
  echo "vindplaats http $what $label: $out"
  eval "$(echo "$out" | sed 's/^WRK //; s/ /;/g')"
  printf '{"system":"vindplaats-http","label":"%s","what":"%s","connections":32,"requests":%s,"qps":%s,"p50_ms":%s,"p90_ms":%s,"p99_ms":%s,"non2xx":%s,"errors":%s}\n' \
    "$label" "$what" "$requests" "$rps" "$p50_ms" "$p90_ms" "$p99_ms" "$non2xx" "$errors" >> "$json"
}
# Without the answer cache: the mix replayed in a loop would otherwise be
# answered from it after its first round.
start_server 0
replay search "$mix"
replay suggest "$suggest"
replay search-zipf "$zipf"
rss=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$server/status")
echo "vindplaats server $label: peak resident memory under load $rss MB"
printf '{"system":"vindplaats-http","label":"%s","what":"memory","peak_rss_mb":%s}\n' "$label" "$rss" >> "$json"
kill $server; wait $server 2>/dev/null || true
# With the answer cache (the default 32 MB), from empty: the Zipfian mix.
# wrk replays the file in a loop, so the hits are those the server counted.
start_server 32
replay search-zipf-cached "$zipf"
counts=$(curl -s "http://127.0.0.1:$port/metrics" |
  awk '/^vindplaats_cache_requests_total\{cache="answers",result="(hit|miss)"\}/ {printf "%s ", $2}')
read -r hits misses <<< "$counts"
echo "vindplaats http answer cache $label: $hits hits, $misses misses"
printf '{"system":"vindplaats-http","label":"%s","what":"answer-cache","hits":%s,"misses":%s}\n' \
  "$label" "$hits" "$misses" >> "$json"
kill $server; wait $server 2>/dev/null || true
trap - EXIT

echo "== peers"
# The floor: plain Xapian on the same corpus and mix; it also indexes with
# 2 writer threads into 2 shards, beside Vindplaats's load --shards 2.
"$build"/vindplaats-peer-xapian --offerings "$corpus" --queries "$mix" --db "$work/xapian-raw" \
  --threads 2 --index-threads 2 --json "$json" --label "$label"
rm -rf "$work"/xapian-raw.shard-*
"$build"/vindplaats-peer-sqlite --offerings "$corpus" --queries "$mix" --db "$work/sqlite.db" \
  --threads 2 --json "$json" --label "$label"
bench/peers/run-postgres.sh --offerings "$corpus" --queries "$mix" --threads 2 --json "$json" \
  --label "$label"

python3 bench/summarize.py "$json" "$results"
echo "results: $json, $results.md, $results.svg"
