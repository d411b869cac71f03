#!/usr/bin/env bash
# Suggestions alone: in process at 1 and 2 threads from the completion
# table (its size and build time printed first) and, for comparison,
# reading the completion terms (vp_suggest_set_table 0); then the server
# over HTTP (wrk on loopback, 32 connections, no answer cache) replaying
# the prefixes after a warm-up of 5 s, with its resident memory.
#
# Usage: bench/suggest.sh INDEX LABEL   (the index is only read)
# Writes bench/results/<date>-suggest-<label>.json and .md.
set -euo pipefail
cd "$(dirname "$0")/.."
index=$1 label=$2
build=${BUILD:-build}
duration=${VP_BENCH_SECONDS:-15}
work=$(mktemp -d)
results=bench/results/$(date -u +%F)-suggest-$label
now=2026-12-01T08:00:00+01:00
mix=bench/queries/mix-2000.txt
suggest=bench/queries/suggest-2000.txt
command -v wrk >/dev/null || { echo "suggest: wrk is missing (scripts/install-deps.sh)" >&2; exit 1; }
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
json=$results.json
: > "$json"
load() { cut -d' ' -f1 /proc/loadavg; }

echo "== in process, from the table (load $(load))"
"$build"/vindplaats-bench-engine --index "$index" --queries "$mix" --suggest "$suggest" \
  --threads 2 --searches 0 --json "$json" --label "$label"
echo "== in process, reading the terms (load $(load))"
"$build"/vindplaats-bench-engine --index "$index" --queries "$mix" --suggest "$suggest" \
  --threads 2 --searches 0 --suggest-table 0 --json "$json" --label "$label-terms"

echo "== server, no answer cache (load $(load))"
"$build"/vindplaats-server --index "$index" --port 0 --port-file "$work/port" --threads 2 \
  --no-access-log --per-ip-limit 0 --now "$now" --cache-mb 0 --data-dir "$work/store" \
  2> "$work/server.log" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 600); do [[ -s $work/port ]] && break; sleep 0.1; done
base=http://127.0.0.1:$(cat "$work/port")
rss_mb() { awk -v k="$1" '$1 == k":" {print int($2 / 1024)}' "/proc/$server/status"; }
echo "resident after start: $(rss_mb VmRSS) MB"
# Warm: the table of the index version is built by the first suggestion,
# the service map beside the requests after a start; neither is measured.
VP_MIX=$suggest wrk -t2 -c32 -d"${VP_WARM_SECONDS:-5}s" --timeout 30s -s bench/wrk-mix.lua "$base" > /dev/null
out=$(VP_MIX=$suggest wrk -t2 -c32 -d"${duration}s" --timeout 30s -s bench/wrk-mix.lua "$base" | grep '^WRK')
eval "$(echo "$out" | sed 's/^WRK //; s/ /;/g')"
peak=$(rss_mb VmHWM)
echo "suggest http $label: $out peak_rss_mb=$peak load=$(load)"
printf '{"system":"vindplaats-http","label":"%s","what":"suggest","connections":32,"requests":%s,"qps":%s,"p50_ms":%s,"p99_ms":%s,"non2xx":%s,"errors":%s,"peak_rss_mb":%s,"load":%s}\n' \
  "$label" "$requests" "$rps" "$p50_ms" "$p99_ms" "$non2xx" "$errors" "$peak" "$(load)" >> "$json"
kill $server; wait $server 2>/dev/null || true

python3 - "$json" "$results.md" "$label" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
out = ["# Suggestions at %s (bench/suggest.sh)" % sys.argv[3], "",
       "| what | threads / connections | per second | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|---|"]
for r in rows:
    if r["what"] == "suggest-table":
        out.insert(2, "Table: %d completion terms, %d completions, %d short prefixes ranked, "
                   "%.1f MB, built in %.0f ms.\n" % (r["terms"], r["completions"], r["prefixes"],
                                                     r["bytes"] / 1048576, r["build_ms"]))
    elif r["system"] == "vindplaats-engine":
        out.append("| %s (in process) | %d threads | %.0f | %.3f | %.3f | %.3f |" %
                   (r["label"], r["threads"], r["qps"], r["p50_ms"], r["p95_ms"], r["p99_ms"]))
    else:
        out.append("| %s (HTTP) | %d connections | %.0f | %.3f | | %.3f |" %
                   (r["label"], r["connections"], r["qps"], r["p50_ms"], r["p99_ms"]))
        out += ["", "Server peak resident memory: %d MB; %s non-2xx, %s errors." %
                (r["peak_rss_mb"], r["non2xx"], r["errors"])]
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
echo "results: $json, $results.md"
