#!/usr/bin/env bash
# The same query mix on one local index, on 3 local shards and on 3 remote
# shards (xapian-tcpsrv on 127.0.0.1), in one run on this machine, through
# the engine in process (vindplaats-bench-engine, 1 and 2 threads).
# Usage: bench/shards.sh [SIZE]   (default 100000; `make bench-shards`)
# Writes bench/results/<date>-shards-<size>.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-100000}
build=${BUILD:-build}
label=$( [[ $size -ge 1000000 ]] && echo "$((size / 1000000))M" || echo "$((size / 1000))k" )
work=${VP_BENCH_DIR:-/tmp/vindplaats-bench-shards-$label}
results=bench/results/$(date -u +%F)-shards-$label
mix=bench/queries/mix-2000.txt
now=2026-12-01T08:00:00+01:00

scripts/install-deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
mkdir -p "$work" bench/results

corpus=$work/offerings.jsonl
if [[ ! -s $corpus || $(wc -l < "$corpus") -ne $size ]]; then
  "$build"/vindplaats-generate --count "$size" --seed 42 --base-date 2026-12-01 --out "$corpus"
fi

echo "== indexing $size offerings: one index, and 3 shards"
rm -rf "$work/one" "$work/three"
"$build"/vindplaats-indexer load "$corpus" --index "$work/one" --now "$now" 2> "$work/load-one.log"
"$build"/vindplaats-indexer load "$corpus" --index "$work/three" --shards 3 --now "$now" \
  2> "$work/load-three.log"

# Three xapian-tcpsrv on free loopback ports, each in its own session (it
# answers SIGTERM by signalling its process group).
pids=()
cleanup() { for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || true; done; }
trap cleanup EXIT
: > "$work/remote.stub"
for k in 0 1 2; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  setsid xapian-tcpsrv --interface 127.0.0.1 --port "$port" --quiet "$work/three/shard-$k" &
  pids+=($!)
  echo "remote tcp 127.0.0.1 $port" >> "$work/remote.stub"
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
done

json=$results.json
: > "$json"
for setup in one three remote; do
  case $setup in
    one) index=$work/one ;;
    three) index=$work/three ;;
    remote) index=$work/remote.stub ;;
  esac
  echo "== $setup"
  "$build"/vindplaats-bench-engine --index "$index" --queries "$mix" --threads 2 --rounds 1 \
    --now "$now" --label "$setup" --json "$json"
done

python3 - "$json" "$results.md" "$size" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
base = {r["threads"]: r for r in rows if r["label"] == "one" and r["what"] == "search"}
names = {"one": "one local index", "three": "3 local shards", "remote": "3 remote shards (xapian-tcpsrv, loopback)"}
out = [f"# Shards: the query mix on {int(sys.argv[3]):,} offerings", "",
       "| setup | threads | p50 ms | p95 ms | p99 ms | queries/s | p50 vs one index | errors |",
       "|---|---|---|---|---|---|---|---|"]
for r in rows:
    if r["what"] != "search":
        continue
    ratio = r["p50_ms"] / base[r["threads"]]["p50_ms"]
    out.append(f"| {names[r['label']]} | {r['threads']} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | "
               f"{r['p99_ms']:.2f} | {r['qps']:.0f} | {ratio:.2f}x | {r['errors']} |")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print("\n".join(out))
EOF
echo "wrote $json and $results.md"
