#!/usr/bin/env bash
# test_rebuild.sh BINDIR OFFERINGS - updates without downtime.
#
# A server serves the symlink `live`. While wrk keeps it busy, the indexer
# commits a small harvest into `live` every second, and halfway through
# rebuilds the whole index into a fresh directory and switches `live` to
# it (vindplaats-indexer load --switch); the old directory is then deleted
# under the server's feet. The rebuild also reshards (one index becomes
# three shards), as adding a shard does. Passes when wrk saw no failed request and every
# harvested offering, before and after the switch, can be found.
# Everything on loopback.
set -euo pipefail

bindir=$1
offerings=$2
indexer=$bindir/vindplaats-indexer
server=$bindir/vindplaats-server
now=2026-12-01T08:00:00+01:00

work=$(mktemp -d)
server_pid=
wrk_pid=
cleanup() {
    [[ -n $wrk_pid ]] && kill "$wrk_pid" 2>/dev/null || true
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "test_rebuild: FAIL: $*" >&2
    [[ -f $work/server.log ]] && tail -n 20 "$work/server.log" >&2
    exit 1
}

command -v wrk >/dev/null || fail "wrk is not installed (scripts/install-deps.sh installs it)"

# The n-th harvested offering: the first sample offering under a new id and
# a title word nothing else contains.
words=(alfa bravo charlie delta echo foxtrot golf hotel)
harvest() {
    local n=$1
    head -n 1 "$offerings" |
        sed -e "s/\"id\":\"[^\"]*\"/\"id\":\"proef:rebuild-$n\"/" \
            -e "s/\"title\":\"[^\"]*\"/\"title\":\"Zwaluwproef${words[$n]} in de bibliotheek\"/" \
            >"$work/harvest-$n.jsonl"
}

"$indexer" load "$offerings" --index "$work/gen-1" --switch "$work/live" --now "$now" \
    2>"$work/load-1.log" || fail "first load: $(tail -n 3 "$work/load-1.log")"
[[ -L $work/live ]] || fail "--switch did not make $work/live a symlink"

"$server" --index "$work/live" --port 0 --port-file "$work/port" --now "$now" \
    --data-dir "$work/store" --no-access-log --threads 2 >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.1; done
[[ -s $work/port ]] || fail "server did not start"
port=$(cat "$work/port")
base=http://127.0.0.1:$port

found() {  # found QUERY: the number of results for QUERY
    curl -sf "$base/v1/search?q=$1" | grep -o '"total":[0-9]*' | head -n 1 | cut -d: -f2
}

wrk -t2 -c8 -d9s --latency "$base/v1/search?q=cursus%20koken&facets=type,library" \
    >"$work/wrk.out" 2>&1 &
wrk_pid=$!

for n in 0 1 2 3 4 5 6 7; do
    sleep 1
    harvest "$n"
    if [[ $n == 4 ]]; then
        # The full rebuild: everything so far into a fresh directory, then
        # one atomic switch; the old generation goes away.
        cat "$offerings" "$work"/harvest-[0-4].jsonl >"$work/all.jsonl"
        "$indexer" load "$work/all.jsonl" --index "$work/gen-2" --shards 3 \
            --switch "$work/live" --now "$now" 2>"$work/load-rebuild.log" || fail "rebuild: $(tail -n 3 "$work/load-rebuild.log")"
        [[ $(readlink "$work/live") == "$work/gen-2" ]] || fail "live does not point at gen-2"
        sleep 0.5
        rm -rf "$work/gen-1"
    else
        # An incremental harvest, committed into the live index.
        shards=1
        [[ $n -gt 4 ]] && shards=3
        "$indexer" load "$work/harvest-$n.jsonl" --index "$work/live" --shards $shards --now "$now" \
            2>"$work/load-h$n.log" || fail "harvest $n: $(tail -n 3 "$work/load-h$n.log")"
    fi
done
wait "$wrk_pid" || fail "wrk failed: $(cat "$work/wrk.out")"
wrk_pid=

cat "$work/wrk.out"
requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
[[ -n $requests && $requests -gt 100 ]] || fail "wrk made too few requests: ${requests:-none}"
if grep -q -e "Non-2xx" -e "Socket errors" "$work/wrk.out"; then
    fail "requests failed during the rebuild and harvests"
fi

for n in 0 1 2 3 4 5 6 7; do
    hits=$(found "zwaluwproef${words[$n]}")
    [[ ${hits:-0} -ge 1 ]] || fail "harvest $n (zwaluwproef${words[$n]}) is not searchable"
done
[[ $(found cursus) -ge 1 ]] || fail "the rebuilt index lost the sample offerings"
kill -0 "$server_pid" 2>/dev/null || fail "the server died"
echo "test_rebuild: $requests requests during a rebuild and 7 harvests, 0 failed; all 8 harvests found"
