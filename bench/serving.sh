#!/usr/bin/env bash
# The serving figures in one run: suggestions in process at 1 and 2
# threads, then the server over HTTP (wrk on loopback, 32 connections):
# the Zipfian mix answered from a warm answer cache, the project's mix
# without the cache, and the server's resident memory under both.
#
# Usage: bench/serving.sh SIZE [INDEX]
#   SIZE   offerings (label of the results; the corpus and index are made
#          at this size when INDEX is not given)
#   INDEX  an index built before (kept as it is: it is only read)
#
# The machine may be shared: every wall-clock figure is printed with the
# load average at that moment, and beside requests per second the server's
# CPU time per request (its user + system time over the run, from /proc).
# Writes bench/results/<date>-serving-<label>.json and .md.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-100000}
build=${BUILD:-build}
label=$( [[ $size -ge 1000000 ]] && echo "$((size / 1000000))M" || echo "$((size / 1000))k" )
work=${VP_BENCH_DIR:-/tmp/vindplaats-serving-$label}
index=${2:-$work/index}
results=bench/results/$(date -u +%F)-serving-$label
now=2026-12-01T08:00:00+01:00
duration=${VP_BENCH_SECONDS:-20}
cache_mb=${VP_CACHE_MB:-32}
mix=bench/queries/mix-2000.txt
suggest=bench/queries/suggest-2000.txt

command -v wrk >/dev/null || { echo "serving: wrk is missing (scripts/install-deps.sh)" >&2; exit 1; }
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
mkdir -p "$work" bench/results
json=$results.json
: > "$json"
load() { cut -d' ' -f1 /proc/loadavg; }

if [[ ! -e $index/iamglass && ! -e $index/XAPIANDB ]]; then
  echo "== corpus and index: $size offerings"
  corpus=$work/offerings.jsonl
  if [[ ! -s $corpus || $(wc -l < "$corpus") -ne $size ]]; then
    "$build"/vindplaats-generate --count "$size" --seed 42 --base-date 2026-12-01 --out "$corpus"
  fi
  rm -rf "$index"
  "$build"/vindplaats-indexer load "$corpus" --index "$index" --now "$now" > "$work/load.log" 2>&1 || {
    tail -5 "$work/load.log"; exit 1; }
fi

echo "== suggestions in process (load $(load))"
# The Zipfian sequence of the mix (10,000 draws, s = 1) is written too.
zipf=$work/zipf-10000.txt
"$build"/vindplaats-bench-engine --index "$index" --queries "$mix" --suggest "$suggest" \
  --threads 2 --now "$now" --searches 0 --zipf 1 --draws 10000 --zipf-out "$zipf" \
  --json "$json" --label "$label"
echo "(load $(load))"

# Starts the server with an answer cache of CACHE_MB (0: none); sets
# $server and $base. wrk's connections all come from one address, as
# through a proxy: no per-address limit.
start_server() {
  rm -rf "$work/port" "$work/store"
  "$build"/vindplaats-server --index "$index" --port 0 --port-file "$work/port" --threads 2 \
    --no-access-log --per-ip-limit 0 --now "$now" --cache-mb "$1" --data-dir "$work/store" \
    2> "$work/server.log" &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  for _ in $(seq 600); do [[ -s $work/port ]] && break; sleep 0.1; done
  base=http://127.0.0.1:$(cat "$work/port")
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
rss_mb() { awk -v k="$1" '$1 == k":" {print int($2 / 1024)}' "/proc/$server/status"; }
metric() { curl -s "$base/metrics" | awk -v s="$1" '$1 == s {print $2}'; }
# Replays FILE for $duration seconds at 32 connections and reports it as WHAT, with
# the server's CPU time per request and the load average.
replay() {
  local what=$1 file=$2 out t0 t1 cpu_ms load_avg
  t0=$(cpu_ticks)
  out=$(VP_MIX=$file wrk -t2 -c32 -d"${duration}s" --timeout 30s -s bench/wrk-mix.lua "$base" | grep '^WRK')
  t1=$(cpu_ticks)
  load_avg=$(load)
  eval "$(echo "$out" | sed 's/^WRK //; s/ /;/g')"
  cpu_ms=$(awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN {printf "%.3f", n ? t / hz * 1000 / n : 0}')
  echo "serving http $what $label: $out cpu_ms_per_request=$cpu_ms load=$load_avg"
  printf '{"system":"vindplaats-http","label":"%s","what":"%s","connections":32,"requests":%s,"qps":%s,"p50_ms":%s,"p90_ms":%s,"p99_ms":%s,"non2xx":%s,"errors":%s,"cpu_ms_per_request":%s,"load":%s}\n' \
    "$label" "$what" "$requests" "$rps" "$p50_ms" "$p90_ms" "$p99_ms" "$non2xx" "$errors" \
    "$cpu_ms" "$load_avg" >> "$json"
}

echo "== server with the answer cache ($cache_mb MB): the Zipfian mix"
start_server "$cache_mb"
echo "resident after start: $(rss_mb VmRSS) MB"
# Warm: every distinct search of the sequence once, the most asked first,
# two at a time, so the run measures what a busy server answers: hits. A
# slow machine stops after VP_WARM_SECONDS; the misses are counted.
sort "$zipf" | uniq -c | sort -k1,1nr -k2 | awk -v b="$base" '{print b $2}' > "$work/zipf-urls.txt"
warm_start=$(date +%s)
timeout "${VP_WARM_SECONDS:-600}" xargs -P 2 -n 20 curl -s < "$work/zipf-urls.txt" > /dev/null || true
echo "warm-up: $(metric 'vindplaats_cache_entries{cache="answers"}') of $(wc -l < "$work/zipf-urls.txt") distinct searches in $(( $(date +%s) - warm_start )) s (load $(load))"
hits0=$(metric 'vindplaats_cache_requests_total{cache="answers",result="hit"}')
misses0=$(metric 'vindplaats_cache_requests_total{cache="answers",result="miss"}')
replay search-zipf-cached "$zipf"
hits=$(( $(metric 'vindplaats_cache_requests_total{cache="answers",result="hit"}') - hits0 ))
misses=$(( $(metric 'vindplaats_cache_requests_total{cache="answers",result="miss"}') - misses0 ))
batches=$(metric vindplaats_insights_batches_total)
logged=$(metric 'vindplaats_insights_events_total{result="written"}')
dropped=$(metric 'vindplaats_insights_events_total{result="dropped"}')
echo "answer cache during the run: $hits hits, $misses misses; query log: $logged events in $batches batches, $dropped dropped"
printf '{"system":"vindplaats-http","label":"%s","what":"answer-cache","hits":%s,"misses":%s,"log_events":%s,"log_batches":%s,"log_dropped":%s}\n' \
  "$label" "$hits" "$misses" "$logged" "$batches" "$dropped" >> "$json"
rss_cached=$(rss_mb VmHWM)
kill $server; wait $server 2>/dev/null || true

echo "== server without the answer cache: the mix and suggestions"
start_server 0
replay search "$mix"
replay suggest "$suggest"
rss_now=$(rss_mb VmRSS)
rss_peak=$(rss_mb VmHWM)
echo "serving memory $label: peak resident $rss_peak MB uncached, $rss_cached MB cached; now $rss_now MB"
printf '{"system":"vindplaats-http","label":"%s","what":"memory","peak_rss_mb":%s,"peak_rss_cached_mb":%s,"rss_mb":%s}\n' \
  "$label" "$rss_peak" "$rss_cached" "$rss_now" >> "$json"
kill $server; wait $server 2>/dev/null || true
trap - EXIT

python3 - "$json" "$results.md" "$label" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
label = sys.argv[3]
out = ["# Serving at %s offerings (bench/serving.sh)" % label, "",
       "| what | threads / connections | per second | p50 ms | p99 ms | CPU ms per request | load |",
       "|---|---|---|---|---|---|---|"]
for r in rows:
    if r["system"] == "vindplaats-engine":
        out.append("| %s (in process) | %d threads | %.0f | %.3f | %.3f | | |" %
                   (r["what"], r["threads"], r["qps"], r["p50_ms"], r["p99_ms"]))
    elif "qps" in r:
        out.append("| %s (HTTP) | %d connections | %.0f | %.3f | %.3f | %.3f | %.2f |" %
                   (r["what"], r["connections"], r["qps"], r["p50_ms"], r["p99_ms"],
                    r["cpu_ms_per_request"], r["load"]))
for r in rows:
    if r.get("what") == "answer-cache":
        out += ["", "Answer cache during the cached run: %d hits, %d misses. Query log: %d events "
                "in %d batches, %d dropped." % (r["hits"], r["misses"], r["log_events"],
                                                r["log_batches"], r["log_dropped"])]
    if r.get("what") == "memory":
        out += ["", "Server resident memory: peak %d MB (without the cache, under the mix), "
                "%d MB (with the cache, Zipfian mix)." % (r["peak_rss_mb"], r["peak_rss_cached_mb"])]
open(sys.argv[2], "w").write("\n".join(out) + "\n")
EOF
echo "results: $json, $results.md"
