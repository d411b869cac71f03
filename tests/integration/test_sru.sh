#!/usr/bin/env bash
# test_sru.sh - /sru through real clients: Debian's yaz-client (SRU 1.2 by
# GET and POST, SRU 2.0) and curl against vindplaats-server on a free
# loopback port, serving tests/data/sru/offerings.jsonl with the clock on
# 2026-12-01. Every answer fetched with curl is validated with xmllint
# against the schemas in tests/data/sru/ (README.md there says why they are
# our own).
#
# Usage: test_sru.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
data=$src/tests/data/sru
passed=0
failed=0

for tool in yaz-client xmllint curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "test_sru.sh: $tool is missing (scripts/install-deps.sh installs it)" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
done

tmp=$(mktemp -d /tmp/vp-test-sru-XXXXXX)
server=
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

ok() {  # ok DESCRIPTION COMMAND...: passes when the command succeeds
  local what=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $what" >&2
  fi
}

has() { grep -qF -- "$2" <<<"$1"; }
lacks() { ! grep -qF -- "$2" <<<"$1"; }

"$bin/vindplaats-indexer" load "$data/offerings.jsonl" --index "$tmp/index" >"$tmp/load.log" 2>&1
ok "the offerings load" grep -q "indexed 8, rejected 0" "$tmp/load.log"

"$bin/vindplaats-server" --index "$tmp/index" --port 0 --port-file "$tmp/port" \
  --now 2026-12-01T08:00:00+01:00 --no-access-log --data-dir "$tmp/store" \
  >"$tmp/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  [[ -s $tmp/port ]] && break
  sleep 0.1
done
port=$(cat "$tmp/port" 2>/dev/null)
ok "the server listens" test -n "$port"
base="http://127.0.0.1:$port/sru"

# ---- yaz-client, as a library client uses it ----
yaz() {  # yaz COMMANDS: runs yaz-client with the commands on stdin
  printf '%s\n' "$@" quit | timeout 60 yaz-client "$base" 2>&1
}

out=$(yaz "sru get 1.2" "find dc.title=vlinderkoorts" "show 1" \
  "find vp.municipality=zwolle" "show 1+2" "find dc.date within \"2026-12-01 2026-12-31\"" \
  "find klik and vp.library=bibliotheek-utrecht" "show 1" "find foo.title=x" "find dc.title=" \
  "find dc.title <> x")
hits() { grep -o 'Number of hits: [0-9]*' <<<"$1" | awk '{printf "%s ", $4}'; }
# Each find and each show reports the hits: one work, two in Zwolle, two
# in December, one course, and none for the three wrong queries.
ok "1.2: the hits of each search" test "$(hits "$out")" = "1 1 2 2 2 1 1 0 0 0 "
ok "1.2: show gives the Dublin Core record" has "$out" "<dc:title>Vlinderkoorts</dc:title><dc:creator>Anna Verbeek</dc:creator>"
ok "1.2: the schema is named" has "$out" "pos=1 schema=info:srw/schema/1/dc-v1.1"
ok "1.2: a municipality finds two" has "$out" "<dc:title>Tuinieren op het balkon</dc:title>"
ok "1.2: show 1+2 shows both" has "$out" "pos=2 schema=info:srw/schema/1/dc-v1.1"
ok "1.2: the past is hidden" lacks "$out" "terugblik"
ok "1.2: words and a library" has "$out" "<dc:title>Klik &amp; Tik: de basis van de computer</dc:title>"
ok "1.2: unknown context set is diagnostic 15" has "$out" "SRW diagnostic info:srw/diagnostic/1/15"
ok "1.2: a syntax error is diagnostic 10" has "$out" "SRW diagnostic info:srw/diagnostic/1/10"
ok "1.2: an unsupported relation is diagnostic 19" has "$out" "SRW diagnostic info:srw/diagnostic/1/19"

out=$(yaz "sru post 1.2" "schema marcxml" "find dc.title=balkon" "show 1" "find klik" "show 1")
ok "POST 1.2: the hits of each search" test "$(hits "$out")" = "1 1 1 1 "
ok "POST 1.2: MARCXML of a book" has "$out" '<marc:datafield tag="245" ind1="1" ind2="0"><marc:subfield code="a">Tuinieren op het balkon</marc:subfield>'
ok "POST 1.2: a course has no MARC record (surrogate 67)" has "$out" "info:srw/diagnostic/1/67"

out=$(yaz "sru get 2.0" "find dc.creator=verbeek" "show 1" "schema offering" "find bath.isbn=9056371231" "show 1" \
  "find cql.allRecords=1" "show 6")
ok "2.0: a creator finds the work" has "$out" "<dc:creator>Anna Verbeek</dc:creator>"
ok "2.0: the offering's own record by ISBN-10" has "$out" '<vp:offering xmlns:vp="info:srw/schema/vindplaats-offering">{"id":"luister:storm"'
ok "2.0: the hits of each search (every offering: one a work, the past left out)" \
  test "$(hits "$out")" = "1 1 1 1 6 6 "
ok "2.0: the sixth record" has "$out" "pos=6 schema=info:srw/schema/vindplaats-offering"

# ---- curl, each answer validated against the SRU schemas ----
valid() {  # valid VERSION FILE
  xmllint --noout --schema "$data/sru-$1.xsd" "$2" 2>"$tmp/xmllint.log" ||
    { cat "$tmp/xmllint.log" >&2; return 1; }
}
n=0
fetch() {  # fetch VERSION QUERY-STRING [curl options]: the body into $body, validated
  local v=$1 qs=$2
  shift 2
  n=$((n + 1))
  status=$(curl -s -o "$tmp/r$n.xml" -w '%{http_code}' "$@" "$base${qs:+?$qs}")
  body=$(cat "$tmp/r$n.xml")
  ok "HTTP 200 for ?$qs" test "$status" = 200
  ok "valid SRU $v for ?$qs" valid "$v" "$tmp/r$n.xml"
}

fetch 2.0 ""
ok "explain by default, 2.0" has "$body" '<sru:explainResponse xmlns:sru="http://docs.oasis-open.org/ns/search-ws/sruResponse">'
ok "explain names the server" has "$body" "<zr:host>127.0.0.1</zr:host><zr:port>$port</zr:port>"
fetch 1.2 "version=1.2"
ok "explain 1.2" has "$body" '<zr:setting type="maximumRecords">100</zr:setting>'
ok "explain lists the network's indexes" has "$body" '<zr:name set="vp">proposition</zr:name>'
fetch 1.2 "operation=explain&version=1.1"
ok "1.1 is answered as 1.2" has "$body" "<srw:version>1.2</srw:version>"
fetch 1.2 "version=1.2&operation=searchRetrieve&query=cql.allRecords%3D1&startRecord=2&maximumRecords=3"
ok "paging: three records from the second" test "$(grep -o '<srw:record>' <<<"$body" | wc -l)" = 3
ok "paging: the next position" has "$body" "<srw:nextRecordPosition>5</srw:nextRecordPosition>"
fetch 1.2 "version=1.2&query=klik&maximumRecords=0"
ok "maximumRecords=0 counts only" has "$body" "<srw:numberOfRecords>1</srw:numberOfRecords></srw:searchRetrieveResponse>"
fetch 1.2 "version=1.2&query=vlinderkoorts&recordPacking=string"
ok "recordPacking=string escapes the record" has "$body" "<srw:recordData>&lt;srw_dc:dc"
fetch 2.0 "version=2.0&query=vlinderkoorts&recordXMLEscaping=string"
ok "recordXMLEscaping=string escapes the record" has "$body" "<sru:recordData>&lt;srw_dc:dc"
fetch 1.2 "version=1.2&query=cql.allRecords%3D1&recordSchema=marcxml"
ok "MARCXML records and surrogate diagnostics in one answer" has "$body" "info:srw/schema/1/diagnostics-v1.1"
fetch 2.0 "version=2.0&query=vp.library%3Dbibliotheek-zwolle&recordSchema=info:srw/schema/1/marcxml-v1.1"
ok "2.0: MARCXML by schema URI" has "$body" "<marc:leader>"
fetch 1.2 "version=1.2&query=klik&recordSchema=offering"
ok "the offering record" has "$body" "<vp:offering"
fetch 1.2 "version=1.3&query=klik"
ok "unsupported version is diagnostic 5" has "$body" "<diag:uri>info:srw/diagnostic/1/5</diag:uri>"
fetch 2.0 "version=2.0&query=klik&recordSchema=mods"
ok "unknown schema is diagnostic 66" has "$body" "<diag:uri>info:srw/diagnostic/1/66</diag:uri><diag:details>mods</diag:details>"
fetch 1.2 "version=1.2&query=dc.format%3Dx"
ok "unsupported index is diagnostic 16" has "$body" "<diag:uri>info:srw/diagnostic/1/16</diag:uri>"
fetch 1.2 "version=1.2&operation=searchRetrieve"
ok "a missing query is diagnostic 7" has "$body" "<diag:uri>info:srw/diagnostic/1/7</diag:uri>"
fetch 1.2 "version=1.2&query=klik&startRecord=50"
ok "beyond the last record is diagnostic 61" has "$body" "<diag:uri>info:srw/diagnostic/1/61</diag:uri>"
fetch 1.2 "version=1.2&operation=scan&scanClause=dc.title"
ok "scan is diagnostic 4" has "$body" "<diag:uri>info:srw/diagnostic/1/4</diag:uri>"
fetch 1.2 "version=1.2&query=%FF%FE"
ok "bytes that are not UTF-8 are diagnostic 6" has "$body" "<diag:uri>info:srw/diagnostic/1/6</diag:uri><diag:details>query</diag:details>"
fetch 1.2 "" --data-urlencode "version=1.2" --data-urlencode "query=dc.title adj \"storm over\"" \
  --data-urlencode "recordSchema=dc"
ok "POST with a form" has "$body" "<dc:title>De storm over de polder</dc:title>"

status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/xml' --data '<soap/>' "$base")
ok "SOAP is refused with 415" test "$status" = 415
# A search sent as a form is not a write: a burst of them is never limited.
limited=0
for _ in $(seq 30); do
  s=$(curl -s -o /dev/null -w '%{http_code}' --data "version=1.2&query=klik" "$base")
  [[ $s == 200 ]] || limited=$((limited + 1))
done
ok "POST searches are not rate-limited as writes" test "$limited" = 0

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
