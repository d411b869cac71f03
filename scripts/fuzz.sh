#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang and runs each for
# SECONDS, starting from its seed corpus (the captured real files). Fails
# when a target crashes, leaks or breaks its contract; the input that did it
# is left in build-fuzz/findings/TARGET/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (SECONDS: 600, as make fuzz)
# What each target has had so far, and how to run more: docs/fuzzing.md.
set -euo pipefail
seconds=${1:-600}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DVP_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(offering oai marcxml ical jsonld feed csv onix marc sru request template segments)
fi
cmake --build "$build" -j"$(nproc)" --target $(printf 'fuzz_%s ' "${targets[@]}") >/dev/null
status=0
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  findings="$build/findings/$t"
  mkdir -p "$corpus" "$findings"
  log="$build/fuzz_$t.log"
  seeds=("$root/tests/fuzz/corpus/$t")
  # The templates seed themselves: the server's own pages.
  [[ $t == template ]] && seeds+=("$root/api/templates" "$root/api/templates/partials")
  if "$build/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$findings/" "$corpus" "${seeds[@]}" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    if [[ -z "$runs" ]]; then
      runs=$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    fi
    echo "fuzz_$t: ${runs:-?} runs in ${seconds} s, clean"
  else
    echo "fuzz_$t: FAILED (see $log; the input is in $findings/)"
    tail -30 "$log"
    status=1
  fi
done
exit $status
