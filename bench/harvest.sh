#!/usr/bin/env bash
# Harvest throughput: the OAI-PMH connector against a repository of SIZE
# records served on loopback (vp-fixture-server: oai_dc, pages of 500,
# every 97th record deleted), into a fresh index, three runs; and, in the
# same run for the ratio, `vindplaats-indexer load` of the same number of
# generated offerings from JSONL. Prints the figures and writes
# bench/results/<date>-harvest-<size>.json and .md.
# Usage: bench/harvest.sh [SIZE]   (make bench-harvest: 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-100000}
page=${VP_BENCH_PAGE:-500}
runs=${VP_BENCH_RUNS:-3}
build=${BUILD:-build}
label=$( [[ $size -ge 1000000 ]] && echo "$((size / 1000000))M" || echo "$((size / 1000))k" )
work=${VP_BENCH_DIR:-/tmp/vindplaats-bench-harvest-$label}
results=bench/results/$(date -u +%F)-harvest-$label

scripts/install-deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target vindplaats-indexer vp-fixture-server vindplaats-generate >/dev/null
mkdir -p "$work" bench/results
rm -f "$work/port"
"$build"/vp-fixture-server --root "$work" --port-file "$work/port" --oai-records "$size" \
  --oai-page "$page" > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -s "$work/port" ]] && break; sleep 0.1; done
port=$(cat "$work/port")

corpus=$work/offerings.jsonl
if [[ ! -s $corpus || $(wc -l < "$corpus") -ne $size ]]; then
  "$build"/vindplaats-generate --count "$size" --seed 42 --base-date 2026-12-01 --out "$corpus"
fi

harvest_rates=() load_rates=() mems=() sizes=()
for r in $(seq "$runs"); do
  rm -rf "$work/index-oai" "$work/index-load"
  /usr/bin/time -f '%e %M' -o "$work/time-oai.txt" \
    "$build"/vindplaats-indexer harvest --kind oai-pmh --url "http://127.0.0.1:$port/oai" \
    --name bench --library de-online-bibliotheek --allow-private=127.0.0.1/32 --index "$work/index-oai" --json > "$work/oai.json"
  records=$(python3 -c "import json;print(json.load(open('$work/oai.json'))['sources'][0]['added'])")
  read -r secs mem < "$work/time-oai.txt"
  /usr/bin/time -f '%e %M' -o "$work/time-load.txt" \
    "$build"/vindplaats-indexer load "$corpus" --index "$work/index-load" 2> "$work/load.log"
  read -r lsecs _ < "$work/time-load.txt"
  harvest_rates+=("$(python3 -c "print(round($records / $secs))")")
  load_rates+=("$(python3 -c "print(round($size / $lsecs))")")
  mems+=("$mem")
  sizes+=("$(du -sk "$work/index-oai" | cut -f1)")
  echo "run $r: OAI-PMH harvest $records records in $secs s (peak ${mem} KiB); JSONL load $size in $lsecs s"
done

python3 - "$results" "$size" "$page" "$records" "${harvest_rates[*]}" "${load_rates[*]}" "${mems[*]}" "${sizes[*]}" <<'PY'
import json, statistics, sys, platform, os
out, size, page, records = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
h = [int(x) for x in sys.argv[5].split()]
l = [int(x) for x in sys.argv[6].split()]
m = [int(x) for x in sys.argv[7].split()]
s = [int(x) for x in sys.argv[8].split()]
res = {
    "what": "OAI-PMH harvest over loopback vs JSONL load, same run",
    "repository_records": size, "page_size": page, "offerings_harvested": records,
    "harvest_records_per_s": {"runs": h, "median": statistics.median(h)},
    "load_records_per_s": {"runs": l, "median": statistics.median(l)},
    "harvest_to_load_ratio": round(statistics.median(h) / statistics.median(l), 3),
    "harvest_peak_rss_kib": max(m), "index_kib": statistics.median(s),
    "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
}
json.dump(res, open(out + ".json", "w"), indent=2)
md = f"""# Harvest throughput, {size:,} records (OAI-PMH over loopback)

| measure | median of {len(h)} runs |
|---|---|
| OAI-PMH harvest (oai_dc, pages of {page}) | {statistics.median(h):,.0f} records/s |
| JSONL load of {size:,} generated offerings | {statistics.median(l):,.0f} records/s |
| harvest / load | {res['harvest_to_load_ratio']} |
| harvest peak memory | {max(m) / 1024:.0f} MiB |
| index on disk after the harvest | {statistics.median(s) / 1024:.0f} MiB |

Runs: harvest {h}, load {l} records/s. Command: `bench/harvest.sh {size}`.
"""
open(out + ".md", "w").write(md)
print(md)
PY
