#!/usr/bin/env bash
# The soak: vindplaats-server under a steady mixed load for a while, to see
# that it answers every request and that its memory stays flat. A benchmark
# (it prints figures and writes a results file), not a test.
#
# Usage: bench/soak.sh [SIZE] [SECONDS]   (default 1000000 offerings, 60 s)
#
# Steps: build, generate the corpus (fixed seed) and index it (both kept in
# the work directory and reused when the size matches: VP_BENCH_DIR names
# it), start the server with the embedded store and an admin key, wait until
# its service map is built (as a load balancer's readiness check would),
# save a few campaigns, then replay a shuffled list of every kind of public
# route (search, suggest, recommend, offerings, offering pages, the service
# map, campaign pages) with wrk at 64 connections for SECONDS, sampling the
# server's resident memory every second. Writes
# bench/results/<date>-soak-<size>.json and .md: requests, throughput,
# latency, non-2xx answers, socket errors (by kind), the server's own time
# per route (from /metrics), and memory over time.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1000000}
seconds=${2:-60}
connections=${VP_SOAK_CONNECTIONS:-64}
build=${BUILD:-build}
label=$( [[ $size -ge 1000000 ]] && echo "$((size / 1000000))M" || echo "$((size / 1000))k" )
work=${VP_BENCH_DIR:-/tmp/vindplaats-soak-$label}
results=bench/results/$(date -u +%F)-soak-$label
now=2026-12-01T08:00:00+01:00
key=soak-admin-key-0123456789abcdef

command -v wrk >/dev/null || { echo "soak: wrk is missing (scripts/install-deps.sh)" >&2; exit 1; }
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
mkdir -p "$work" bench/results

echo "== corpus and index: $size offerings"
corpus=$work/offerings.jsonl
if [[ ! -s $corpus || $(wc -l < "$corpus") -ne $size ]]; then
  "$build"/vindplaats-generate --count "$size" --seed 42 --base-date 2026-12-01 --out "$corpus"
  rm -rf "$work/index" "$work/index.done"
fi
if [[ ! -e $work/index.done ]]; then
  rm -rf "$work/index"
  start=$(date +%s)
  "$build"/vindplaats-indexer load "$corpus" --index "$work/index" > "$work/load.log" 2>&1 || {
    tail -5 "$work/load.log"; exit 1; }
  echo "indexed in $(( $(date +%s) - start )) s"
  touch "$work/index.done"
fi

echo "== the route list"
routes=$work/routes.txt
python3 - "$corpus" "$routes" <<'EOF'
import json, random, sys, urllib.parse
corpus, out = sys.argv[1], sys.argv[2]
rnd = random.Random(42)
ids = []
with open(corpus) as f:
    for n, line in enumerate(f):
        # a reservoir of 500 offering ids from the whole corpus
        oid = json.loads(line)["id"]
        if len(ids) < 500:
            ids.append(oid)
        elif rnd.randrange(n + 1) < 500:
            ids[rnd.randrange(500)] = oid
search = [l.strip() for l in open("bench/queries/mix-2000.txt") if l.strip()]
suggest = [l.strip() for l in open("bench/queries/suggest-2000.txt") if l.strip()]
segments = [s["id"] for s in json.load(open("data/segments/segments.json"))["segments"]]
pc4 = ["3511", "3811", "1012", "7811", "9711", "6211"]
q = lambda s: urllib.parse.quote(s, safe="")
mix = []
mix += [("search", p) for p in search]                                   # 2000
mix += [("suggest", p) for p in suggest[:1000]]                           # 1000
mix += [("recommend", "/v1/recommend?segment=" + s) for s in segments for _ in range(40)]
mix += [("recommend", "/v1/recommend?postcode=" + p) for p in pc4 for _ in range(20)]
mix += [("offering", "/v1/offerings/" + q(i)) for i in ids]
mix += [("related", "/v1/offerings/" + q(i) + "/related") for i in ids[:200]]
mix += [("page", "/o/" + q(i)) for i in ids[:300]]
mix += [("page", p) for p in ["/", "/services", "/v1/propositions", "/v1/libraries"] for _ in range(25)]
mix += [("campaign", "/q/" + s) for s in ["soak-computer", "soak-voorlezen", "soak-taal"] for _ in range(100)]
mix += [("campaign", "/q/" + s + ".atom") for s in ["soak-computer", "soak-taal"] for _ in range(25)]
rnd.shuffle(mix)
with open(out, "w") as f:
    for _, p in mix:
        f.write(p + "\n")
kinds = {}
for k, _ in mix:
    kinds[k] = kinds.get(k, 0) + 1
print("routes: %d (%s)" % (len(mix), ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))
EOF

echo "== server"
rm -rf "$work/store" "$work/port"
# wrk opens all its connections from 127.0.0.1, as a reverse proxy in front
# of the server does (docs/deploy.md), while residents each come from their
# own address with a few connections. So that one address may hold the
# soak's connections, the per-address limit (default 32) is raised to
# exactly their number: a connection beyond them (wrk reconnecting after a
# timeout while the server still holds the old one) is still refused, and
# counted below.
VINDPLAATS_ADMIN_KEYS=$key "$build"/vindplaats-server --index "$work/index" --port 0 \
  --port-file "$work/port" --threads 2 --no-access-log --now "$now" \
  --per-ip-limit "$connections" --data-dir "$work/store" 2> "$work/server.log" &
server=$!
sampler=
trap 'kill $server $sampler 2>/dev/null || true' EXIT
for _ in $(seq 300); do [[ -s $work/port ]] && break; sleep 0.1; done
port=$(cat "$work/port")
base=http://127.0.0.1:$port
start=$(date +%s)
until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$base/v1/propositions") == 200 ]]; do
  kill -0 $server 2>/dev/null || { tail -5 "$work/server.log"; exit 1; }
  (( $(date +%s) - start < 900 )) || { echo "soak: no service map after 900 s" >&2; exit 1; }
  sleep 1
done
echo "service map ready $(( $(date +%s) - start )) s after the server listened"
for c in "soak-computer|Computerhulp|{\"q\":\"computer\"}" "soak-voorlezen|Voorlezen|{\"q\":\"voorlezen\"}" \
         "soak-taal|Taal|{\"type\":\"course\",\"q\":\"taal\"}"; do
  IFS='|' read -r slug title search <<< "$c"
  curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    --data "{\"title\":\"$title\",\"search\":$search}" "$base/v1/queries/$slug"
done

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
# wrk gives up on a request after --timeout (30 s) and counts a timeout; the
# warm-up uses a quarter of the connections.
echo "== warm-up (10 s), then ${seconds} s at $connections connections"
VP_MIX=$routes wrk -t2 -c$((connections / 4)) -d10s --timeout 30s -s bench/wrk-mix.lua "$base" \
  > /dev/null
# wrk has closed its warm-up connections, but the server holds each until
# it has answered the request queued on it, and they count against the
# per-address limit: wait until both workers answer /healthz at once.
quick=0
for _ in $(seq 120); do
  t=$(curl -s -o /dev/null -w '%{time_total}' --max-time 30 "$base/healthz" || echo 30)
  if awk -v t="$t" 'BEGIN { exit !(t < 0.2) }'; then quick=$((quick + 1)); else quick=0; fi
  (( quick >= 4 )) && break
  sleep 0.5
done
curl -s --max-time 60 "$base/metrics" > "$work/metrics-before.txt" || true
: > "$work/rss.tsv"
( t=0; while kill -0 "$server" 2>/dev/null; do
    echo -e "$t\t$(rss_kb)" >> "$work/rss.tsv"; sleep 1; t=$((t + 1)); done ) &
sampler=$!
out=$(VP_MIX=$routes wrk -t2 -c"$connections" -d"${seconds}s" --timeout 30s -s bench/wrk-mix.lua "$base" \
      | grep '^WRK')
echo "soak $label: $out"
kill $sampler 2>/dev/null || true
wait $sampler 2>/dev/null || true
sampler=
# The server may still work through requests wrk gave up on: /healthz
# answers once it has.
health=000
for _ in $(seq 12); do
  health=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$base/healthz" || true)
  [[ $health == 200 ]] && break
  sleep 5
done
curl -s --max-time 60 "$base/metrics" > "$work/metrics-after.txt" || true
refused=$(grep -c 'connection limit' "$work/server.log" || true)
kill $server; wait $server 2>/dev/null || true
trap - EXIT

python3 - "$work/rss.tsv" "$results" "$label" "$size" "$seconds" "$connections" "$health" "$refused" "$out" \
  "$work/metrics-before.txt" "$work/metrics-after.txt" <<'EOF'
import json, re, sys
rss_file, results, label, size, seconds, conns, health, refused, wrk, m0, m1 = sys.argv[1:]
w = dict(kv.split("=") for kv in wrk.split()[1:])

# The server's own time per route during the run (from the /metrics
# histograms: what the handler took, without the wait in the queue).
def histograms(path):
    h = {}
    for line in open(path):
        m = re.match(r'vindplaats_request_duration_seconds_(bucket|sum|count)\{route="([^"]*)"(?:,le="([^"]*)")?\} (\S+)', line)
        if m:
            kind, route, le, v = m.groups()
            r = h.setdefault(route, {"buckets": {}, "sum": 0.0, "count": 0})
            if kind == "bucket":
                r["buckets"][float("inf") if le == "+Inf" else float(le)] = int(v)
            elif kind == "sum":
                r["sum"] = float(v)
            else:
                r["count"] = int(v)
    return h
h0, h1 = histograms(m0), histograms(m1)
def quantile(buckets, q):
    """The upper bound of the bucket that holds quantile q; None: above all."""
    total = buckets.get(float("inf"), 0)
    for le in sorted(buckets):
        if buckets[le] >= q * total:
            return None if le == float("inf") else le
routes = []
for route, r in sorted(h1.items()):
    before = h0.get(route, {"buckets": {}, "sum": 0.0, "count": 0})
    n = r["count"] - before["count"]
    if n <= 0:
        continue
    b = {le: c - before["buckets"].get(le, 0) for le, c in r["buckets"].items()}
    routes.append({"route": route, "requests": n,
                   "mean_ms": round((r["sum"] - before["sum"]) / n * 1000, 2),
                   "p50_le_s": quantile(b, 0.5), "p99_le_s": quantile(b, 0.99)})
series = [(int(t), int(kb) // 1024) for t, kb in (l.split("\t") for l in open(rss_file) if l.strip())]
mb = [m for _, m in series]
# the slope of a least-squares line through the samples, in MB per minute
n = len(series)
if n > 1:
    mt = sum(t for t, _ in series) / n
    mm = sum(mb) / n
    slope = sum((t - mt) * (m - mm) for t, m in series) / sum((t - mt) ** 2 for t, _ in series) * 60
else:
    slope = 0.0
r = {"what": "soak", "label": label, "offerings": int(size), "seconds": int(seconds),
     "connections": int(conns), "requests": int(w["requests"]), "qps": float(w["rps"]),
     "p50_ms": float(w["p50_ms"]), "p90_ms": float(w["p90_ms"]), "p99_ms": float(w["p99_ms"]),
     "non2xx": int(w["non2xx"]), "errors": int(w["errors"]),
     "max_ms": float(w["max_ms"]), "timeouts": int(w["timeout"]),
     "errors_by_kind": {k: int(w[k]) for k in ("connect", "read", "write", "timeout")},
     "server_routes": routes,
     "refused_connections": int(refused or 0), "healthz_after": int(health or 0),
     "rss_mb_first": mb[0] if mb else None, "rss_mb_last": mb[-1] if mb else None,
     "rss_mb_max": max(mb) if mb else None, "rss_mb_per_minute": round(slope, 2),
     "rss_mb_series": mb}
json.dump(r, open(results + ".json", "w"), indent=1)
with open(results + ".md", "w") as f:
    f.write("# Soak, %s offerings, %s s at %s connections\n\n" % (label, seconds, conns))
    f.write("| requests | q/s | p50 ms | p90 ms | p99 ms | non-2xx | socket errors | refused connections | RSS first/last/max MB | RSS slope MB/min |\n")
    f.write("|---|---|---|---|---|---|---|---|---|---|\n")
    f.write("| %d | %.0f | %.2f | %.2f | %.2f | %d | %d | %d | %s / %s / %s | %.2f |\n" % (
        r["requests"], r["qps"], r["p50_ms"], r["p90_ms"], r["p99_ms"], r["non2xx"], r["errors"],
        r["refused_connections"],
        r["rss_mb_first"], r["rss_mb_last"], r["rss_mb_max"], r["rss_mb_per_minute"]))
    f.write("\nRSS every 10 s (MB): %s\n" % " ".join(str(m) for m in mb[::10]))
    f.write("\nwrk: max latency %.0f ms; socket errors by kind: %s\n" % (
        r["max_ms"], ", ".join("%s %d" % kv for kv in r["errors_by_kind"].items())))
    f.write("\nThe server's own time per route (handler only, no queueing; p50/p99 as the\n"
            "upper bound of the /metrics histogram bucket):\n\n")
    f.write("| route | requests | mean ms | p50 <= s | p99 <= s |\n|---|---|---|---|---|\n")
    fmt = lambda v: "+Inf" if v is None else "%g" % v
    for x in sorted(routes, key=lambda x: -x["requests"] * x["mean_ms"]):
        f.write("| %s | %d | %.2f | %s | %s |\n" % (x["route"], x["requests"], x["mean_ms"],
                                                  fmt(x["p50_le_s"]), fmt(x["p99_le_s"])))
print("soak %s: %d requests, %.0f q/s, p99 %.1f ms, max %.1f ms, %d non-2xx, %d errors (%d timeouts), %d refused, RSS %s -> %s MB (max %s, %.2f MB/min), /healthz %s"
      % (label, r["requests"], r["qps"], r["p99_ms"], r["max_ms"], r["non2xx"], r["errors"], r["timeouts"],
         r["refused_connections"], r["rss_mb_first"], r["rss_mb_last"], r["rss_mb_max"],
         r["rss_mb_per_minute"], health))
print("results: %s.json, %s.md" % (results, results))
EOF
