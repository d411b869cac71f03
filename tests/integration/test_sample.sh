#!/usr/bin/env bash
# What `make run` builds before it serves: the sample JSONL, then every
# sample platform through the real harvester (scripts/harvest-sample.sh,
# here on a free loopback port). Every source must harvest, so a platform
# added to data/sample/ without what the harvester needs to reach it (its
# kind, allow_private for the loopback fixture) fails here, not in a demo.
# Usage: test_sample.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/vindplaats-indexer" load "$root/data/sample/offerings.jsonl" --index "$work/index" >/dev/null
if ! out=$(bash "$root/scripts/harvest-sample.sh" "$build" "$work/index" 0 2>&1); then
  echo "$out"
  echo "FAILED: the sample platforms do not all harvest"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "$out"
sources=$(grep -c '^\[source ' "$root/data/sample/sources.ini")
ok=$(echo "$out" | grep -cE ' ok$' || true)
if [[ $ok -ne $sources ]]; then
  echo "FAILED: $ok of $sources sample sources harvested"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "1 passed, 0 failed"
