#!/bin/sh
# store-compare.sh - the signal store benchmark (bench/store.c) run against
# the store of several commits in one sitting, their runs alternated, so
# that the load of a shared machine falls on all of them alike.
#
# Usage: bench/store-compare.sh RUNS REV...
#   bench/store-compare.sh 5 dc9b1f3 main HEAD
#
# For each REV, the store as that commit has it (engine/store*.c and the
# base files they use: buf.c, hash.c, status.c, with that commit's
# include/) is built with this tree's bench/store.c by `gcc -O2` (what
# `make build` uses, RelWithDebInfo, optimises alike), so only the store
# differs between the programs. The benchmark uses only vindplaats/store.h,
# which has kept its interface (its error argument changed type, and the
# benchmark passes NULL there). Then RUNS rounds, each running every
# program once in the order given. Writes every run and the medians
# (calls/s, and CPU microseconds per call: user + system of the whole
# process, the store's threads included) to
# bench/results/DATE-store-compare.json and prints the medians.
set -eu

if [ $# -lt 2 ]; then
    echo "usage: bench/store-compare.sh RUNS REV..." >&2
    exit 2
fi
runs=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/vp-store-compare-XXXXXX)
trap 'rm -rf "$work"' EXIT
# status.c writes the JSON form of an error (jansson) since vp_error.
deps="$(pkg-config --libs sqlite3 hiredis jansson) -lpthread -lm"

i=0
for rev in "$@"; do
    i=$((i + 1))
    src="$work/src-$i"
    mkdir -p "$src"
    files=$(git -C "$root" ls-tree --name-only "$rev" engine/ include/vindplaats/ |
        grep -E '^(engine/(store[a-z_]*\.[ch]|buf\.c|hash\.c|status\.c)|include/vindplaats/.*\.h)$')
    # shellcheck disable=SC2086
    git -C "$root" archive "$rev" $files | tar -x -C "$src"
    gcc -O2 -std=gnu11 -D_POSIX_C_SOURCE=200809L -I"$src/include" -I"$src/engine" \
        "$src"/engine/*.c "$root/bench/store.c" -o "$work/bench-$i" $deps
    echo "$rev: $(git -C "$root" rev-parse --short "$rev")" >>"$work/revs"
done

for r in $(seq 1 "$runs"); do
    i=0
    for rev in "$@"; do
        i=$((i + 1))
        echo "== run $r, $rev" >&2
        "$work/bench-$i" --out "$work/run-$i-$r.json" >&2
    done
done

out="$root/bench/results/$(date +%F)-store-compare.json"
python3 - "$work" "$runs" "$out" "$(uptime)" "$@" <<'EOF'
import json, statistics, sys
work, runs, out, load, revs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
shas = dict(line.strip().split(": ") for line in open(f"{work}/revs"))
doc = {"command": "bench/store-compare.sh " + " ".join([str(runs)] + revs),
       "uptime_at_end": load.strip(), "revisions": shas, "runs": {}, "medians": {}}
for i, rev in enumerate(revs, 1):
    rs = [json.load(open(f"{work}/run-{i}-{r}.json"))["results"] for r in range(1, runs + 1)]
    doc["runs"][rev] = rs
    med = {}
    for k, m in enumerate(rs[0]):
        med[m["name"]] = {
            "calls_per_s": statistics.median(r[k]["calls_per_s"] for r in rs),
            "cpu_us_per_call": statistics.median(r[k]["cpu_us_per_call"] for r in rs),
        }
    doc["medians"][rev] = med
json.dump(doc, open(out, "w"), indent=1)
print(f"medians of {runs} runs ({out}):")
names = list(doc["medians"][revs[0]])
print(f"{'':12}" + "".join(f"{r[:20]:>26}" for r in revs))
for n in names:
    cells = "".join(f"{doc['medians'][r][n]['calls_per_s']:>12.0f}/s {doc['medians'][r][n]['cpu_us_per_call']:>9.1f}us"
                    for r in revs)
    print(f"{n:12}{cells}")
EOF
