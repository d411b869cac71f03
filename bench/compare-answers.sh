#!/usr/bin/env bash
# Do two indexes answer the same? Usage: bench/compare-answers.sh INDEX-A
# INDEX-B [N] (default 500). Serves each index with vindplaats-server on a
# free loopback port (the queries' clock, no answer cache, signals in a
# scratch directory), asks both the first N requests of
# bench/queries/mix-2000.txt and prints the requests whose answers differ
# (timings and query ids left out), then how many differed. Exit status 1 when any did.
set -euo pipefail
cd "$(dirname "$0")/.."
a=$1 b=$2 n=${3:-500}
build=${BUILD:-build}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
serve() {  # serve NAME INDEX: starts a server, sets port
  mkdir -p "$work/$1"
  "$build"/vindplaats-server --index "$2" --port 0 --port-file "$work/$1.port" \
    --now 2026-12-01T08:00:00+01:00 --cache-mb 0 --no-access-log --data-dir "$work/$1" \
    > "$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do [[ -s $work/$1.port ]] && break; sleep 0.1; done
  port=$(cat "$work/$1.port")
}
serve a "$a"; port_a=$port
serve b "$b"; port_b=$port
differ=0
while read -r path; do
  ra=$(curl -s "http://127.0.0.1:$port_a$path" | jq -S 'walk(if type == "object" then del(.took_ms, .query_id) else . end)')
  rb=$(curl -s "http://127.0.0.1:$port_b$path" | jq -S 'walk(if type == "object" then del(.took_ms, .query_id) else . end)')
  if [[ $ra != "$rb" ]]; then
    differ=$((differ + 1))
    echo "differs: $path"
  fi
done < <(head -n "$n" bench/queries/mix-2000.txt)
echo "$differ of $n answers differ"
[[ $differ == 0 ]]
