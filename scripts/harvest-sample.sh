#!/usr/bin/env bash
# Harvests the sample platforms (data/sample/platforms) into an index, the
# way a library network's sources are harvested: the platforms are served
# on 127.0.0.1:PORT by the fixture server for as long as the harvest runs,
# and data/sample/sources.ini names them.
# Usage: scripts/harvest-sample.sh BUILD_DIR INDEX_DIR [PORT]   (0: a free port)
set -euo pipefail
build=$1
index=$2
port=${3:-8079}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
"$build/vp-fixture-server" --root "$root/data/sample/platforms" --port "$port" \
  --port-file "$work/port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do
  [[ -s "$work/port" ]] && break
  sleep 0.1
done
if [[ ! -s "$work/port" ]]; then
  echo "harvest-sample: cannot serve the sample platforms on 127.0.0.1:$port (in use? make run PLATFORM_PORT=...)" >&2
  cat "$work/server.log" >&2
  exit 1
fi
port=$(cat "$work/port")   # the one it got (PORT 0: any free one)
config="$root/data/sample/sources.ini"
if [[ "$port" != 8079 ]]; then
  sed "s/127\.0\.0\.1:8079/127.0.0.1:$port/; s|^file = network.json|file = $root/data/sample/network.json|" \
    "$config" >"$work/sources.ini"
  config="$work/sources.ini"
fi
"$build/vindplaats-indexer" harvest --config "$config" --index "$index"
