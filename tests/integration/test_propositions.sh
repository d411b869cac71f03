#!/usr/bin/env bash
# The pages of the propositions (/p/{proposition}, /p/{proposition}/{municipality},
# api/propositions.c, docs/site.md): what they show, their schema.org data,
# Open Graph with og:image, canonical links, the sitemap, and which combinations
# have no page (404), have lost theirs (410) or are sent on (301). Also og:image
# on /o/ (the offering's image, the library's, the default) and /og-default.png.
# The index is tests/data/propositions/offerings.jsonl with its network.json, at
# a fixed clock: Taalcafé is on in Utrecht (2), Leusden and Den Haag and online,
# was on in Amersfoort (past), never in Zwolle; BoekStart is on nowhere.
# Usage: test_propositions.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
build=$1
root=$2
data=$root/tests/data/propositions
. "$root/tests/support/server.sh"
need_tools xmllint curl python3
server_args=(--network "$data/network.json")

"$build/vindplaats-indexer" load "$data/offerings.jsonl" --index "$work/index" >/dev/null || {
  echo "cannot build the test index"; echo "0 passed, 1 failed"; exit 1; }

# page NAME STATUS URL: fetches an HTML page, checks its status and that
# libxml2 reads it as HTML without an error.
page() {
  local name=$1 want=$2 url=$3
  local got
  got=$(curl -s -o "$work/$name.html" -D "$work/$name.h" -w '%{http_code}' "$url")
  if [[ $got != "$want" ]]; then bad "$name: status $got, wanted $want"; return; fi
  ok
  local errors
  errors=$(xmllint --html --noout "$work/$name.html" 2>&1 | grep 'parser error' |
    grep -Ev 'Tag (header|main|footer|article|section|nav|time|mark) invalid')
  if [[ -n $errors ]]; then bad "$name: not valid HTML: $errors"; else ok; fi
}
# has NAME LINE: the page holds that exact line; lacks: it does not hold TEXT.
has() { grep -qxF "$2" "$work/$1.html" && ok || bad "$1: no line $2"; }
holds() { grep -qF "$2" "$work/$1.html" && ok || bad "$1: no $2"; }
lacks() { grep -qF "$2" "$work/$1.html" && bad "$1: holds $2" || ok; }
# ld NAME PYTHON: the page's JSON-LD as `ld` satisfies the expression.
ld() {
  if python3 - "$work/$1.html" "$2" <<'PY'
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
ld = json.loads(m.group(1)) if m else None
sys.exit(0 if ld is not None and eval(sys.argv[2]) else 1)
PY
  then ok; else bad "$1: JSON-LD fails $2"; fi
}

if ! start; then
  echo "the server did not start"; echo "0 passed, 1 failed"; exit 1
fi

# ---- /p/{proposition} ----
page taalcafe 200 "$base/p/taalcafe"
has taalcafe '<h1>Taalcafé</h1>'
holds taalcafe 'Bibliotheken noemen het ook Taalcafe, Praatcafé, Conversatietafel, Samenspraak'
has taalcafe "<link rel=\"canonical\" href=\"$base/p/taalcafe\">"
has taalcafe "<meta property=\"og:url\" content=\"$base/p/taalcafe\">"
has taalcafe '<meta property="og:title" content="Taalcafé">'
has taalcafe "<meta property=\"og:image\" content=\"$base/og-default.png\">"
has taalcafe '<meta name="twitter:card" content="summary_large_image">'
# every municipality where it is on, linked; none where it is not
has taalcafe '<li><a href="/p/taalcafe/utrecht">Taalcafé in Utrecht</a> <span class="mut">(2 keer)</span></li>'
has taalcafe '<li><a href="/p/taalcafe/den-haag">Taalcafé in Den Haag</a> <span class="mut">(1 keer)</span></li>'
has taalcafe '<li><a href="/p/taalcafe/leusden">Taalcafé in Leusden</a> <span class="mut">(1 keer)</span></li>'
lacks taalcafe '/p/taalcafe/amersfoort'
lacks taalcafe '/p/taalcafe/zwolle'
# which libraries offer it, by their names in the network file
has taalcafe '<li>Bibliotheek Utrecht <span class="mut">(2 keer)</span></li>'
has taalcafe '<li>de Online Bibliotheek <span class="mut">(1 keer)</span></li>'
lacks taalcafe 'Bibliotheek Zwolle'
holds taalcafe '<h2 id="online-h">Online, wanneer het u uitkomt</h2>'
lacks taalcafe '<meta name="robots"'
ld taalcafe 'ld["@type"] == "ItemList" and ld["numberOfItems"] == 5 and ld["url"].endswith("/p/taalcafe")'
ld taalcafe '[e["item"]["@type"] for e in ld["itemListElement"]] == ["Event", "Event", "Event", "Event", "Course"]'
ld taalcafe 'ld["itemListElement"][0]["item"]["startDate"] == "2026-12-03T10:00:00+01:00" and ld["itemListElement"][0]["url"].endswith("/o/t:utrecht-1")'

# a proposition on offer nowhere: a page that says so, not for search engines
page boekstart 200 "$base/p/boekstart"
holds boekstart 'Op dit moment staat BoekStart bij geen enkele bibliotheek op het programma.'
has boekstart '<meta name="robots" content="noindex, follow">'

# ---- /p/{proposition}/{municipality} ----
page utrecht 200 "$base/p/taalcafe/utrecht"
has utrecht '<h1>Taalcafé in Utrecht</h1>'
has utrecht "<link rel=\"canonical\" href=\"$base/p/taalcafe/utrecht\">"
has utrecht '<meta property="og:title" content="Taalcafé in Utrecht">'
# the picture of the library that offers it there (the network file's)
has utrecht '<meta property="og:image" content="https://www.bibliotheek-utrecht.example.nl/logo.png">'
has utrecht '<meta property="og:image:alt" content="Bibliotheek Utrecht">'
holds utrecht '<h2 id="next-h">Op het programma in Utrecht</h2>'
holds utrecht 'Taalcafé in de Neude'
# nearby: Leusden (22 km away) but not Den Haag (52 km), and no Utrecht one twice;
# the past one in Amersfoort nowhere
holds utrecht '<h2 id="near-h">In de buurt (tot 25 km)</h2>'
holds utrecht 'Samenspraak in Leusden'
lacks utrecht 'Taalcafé Centrale'
lacks utrecht 'Taalcafé Eemhuis'
[[ $(grep -c '>Taalcafé in de Neude</a></h3>' "$work/utrecht.html") == 1 ]] && ok || bad "utrecht: an offering there is also listed as nearby"
holds utrecht '<h2 id="online-h">Online, wanneer het u uitkomt</h2>'
holds utrecht 'Online taalcafé'
holds utrecht '<a href="/p/taalcafe">Alles over Taalcafé bij de bibliotheken</a>'
ld utrecht 'ld["@type"] == "ItemList" and ld["name"] == "Taalcafé in Utrecht" and ld["numberOfItems"] == 2'
ld utrecht '[e["item"]["@type"] for e in ld["itemListElement"]] == ["Event", "Course"]'
ld utrecht 'ld["itemListElement"][0]["item"]["location"]["address"]["addressLocality"] == "Utrecht"'
page leusden 200 "$base/p/taalcafe/leusden"
holds leusden '<h2 id="near-h">In de buurt (tot 25 km)</h2>'
lacks leusden 'Taalcafé Eemhuis'
page den-haag 200 "$base/p/taalcafe/den-haag"
has den-haag '<h1>Taalcafé in Den Haag</h1>'
# no library image: the site's own picture
has den-haag "<meta property=\"og:image\" content=\"$base/og-default.png\">"

# had offerings, all over now: gone; never had any, or unknown: not found
page amersfoort 410 "$base/p/taalcafe/amersfoort"
holds amersfoort 'Er is op dit moment geen Taalcafé in Amersfoort.'
has amersfoort '<meta name="robots" content="noindex">'
page zwolle 404 "$base/p/taalcafe/zwolle"
page atlantis 404 "$base/p/taalcafe/atlantis"
page unknown 404 "$base/p/bestaat-niet"
page unknown-place 404 "$base/p/bestaat-niet/utrecht"
page deeper 404 "$base/p/taalcafe/utrecht/extra"
page empty-place 404 "$base/p/taalcafe/"
# another spelling of a municipality is sent on to its page
code=$(curl -s -o /dev/null -D "$work/moved.h" -w '%{http_code}' "$base/p/taalcafe/Den%20Haag")
[[ $code == 301 ]] && ok || bad "Den Haag: status $code, wanted 301"
grep -qi "^location: $base/p/taalcafe/den-haag" "$work/moved.h" && ok || bad "Den Haag: not sent to /p/taalcafe/den-haag"
# links from elsewhere carry utm_*: ignored
page utm 200 "$base/p/taalcafe/utrecht?utm_source=poster&fbclid=x"

# ---- the sitemap lists the pages with something on, and only those ----
curl -s -o "$work/pages.xml" "$base/sitemap.xml?part=pages"
if out=$(xmllint --noout "$work/pages.xml" 2>&1); then ok; else bad "sitemap: not well-formed: $out"; fi
for loc in /p/taalcafe /p/taalcafe/utrecht /p/taalcafe/leusden /p/taalcafe/den-haag /p/klik-en-tik \
           /p/klik-en-tik/zwolle; do
  grep -qF "<loc>$base$loc</loc>" "$work/pages.xml" && ok || bad "sitemap: no $loc"
done
for loc in /p/taalcafe/amersfoort /p/taalcafe/zwolle /p/boekstart /p/klik-en-tik/utrecht; do
  grep -qF "<loc>$base$loc</loc>" "$work/pages.xml" && bad "sitemap: lists $loc" || ok
done

# ---- /o/: og:image and the link to the proposition's page ----
page o-own 200 "$base/o/t:utrecht-2"
has o-own '<meta property="og:image" content="https://www.bibliotheek-utrecht.example.nl/img/nederlands-oefenen.jpg">'
has o-own '<meta property="og:image:alt" content="Nederlands oefenen in tien lessen">'
has o-own '<meta name="twitter:image" content="https://www.bibliotheek-utrecht.example.nl/img/nederlands-oefenen.jpg">'
holds o-own '<dt>Aanbod</dt><dd><a href="/p/taalcafe/utrecht">Taalcafé</a></dd>'
page o-library 200 "$base/o/t:utrecht-1"
has o-library '<meta property="og:image" content="https://www.bibliotheek-utrecht.example.nl/logo.png">'
holds o-library '<dt>Aanbod</dt><dd><a href="/p/taalcafe/utrecht">Praatcafé (Taalcafé)</a></dd>'
page o-default 200 "$base/o/t:leusden-1"
has o-default "<meta property=\"og:image\" content=\"$base/og-default.png\">"
# an offering that is over links to the proposition's page, not to a place's
page o-past 200 "$base/o/t:amersfoort-past"
holds o-past '<dt>Aanbod</dt><dd><a href="/p/taalcafe">Taalcafé</a></dd>'
# an online offering has no municipality
page o-online 200 "$base/o/t:online-1"
holds o-online '<a href="/p/taalcafe">Taalcafé</a>'

# ---- the default picture: a PNG of 1200 x 630, cacheable ----
code=$(curl -s -o "$work/og.png" -D "$work/og.h" -w '%{http_code}' "$base/og-default.png")
[[ $code == 200 ]] && ok || bad "/og-default.png: status $code"
grep -qi '^content-type: image/png' "$work/og.h" && ok || bad "/og-default.png: not image/png"
if python3 - "$work/og.png" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
sys.exit(0 if b[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", b[16:24]) == (1200, 630) else 1)
PY
then ok; else bad "/og-default.png: not a 1200 x 630 PNG"; fi
cmp -s "$work/og.png" "$root/api/static/og-default.png" && ok || bad "/og-default.png: not api/static/og-default.png"

# ---- /services links each proposition to its page ----
for _ in $(seq 50); do
  code=$(curl -s -o "$work/services.html" -w '%{http_code}' "$base/services")
  [[ $code == 503 ]] || break
  sleep 0.2
done
holds services '<th scope="col"><a href="/p/taalcafe">Taalcafé</a></th>'
stop

# ---- --public-url: every address of the pages is the public one ----
if start --public-url https://vindplaats.example.nl/; then
  page public 200 "$base/p/taalcafe/den-haag"
  has public '<link rel="canonical" href="https://vindplaats.example.nl/p/taalcafe/den-haag">'
  has public '<meta property="og:image" content="https://vindplaats.example.nl/og-default.png">'
  ld public 'ld["itemListElement"][0]["url"] == "https://vindplaats.example.nl/o/t:den-haag-1"'
  stop
else
  bad "the server did not start with --public-url"
fi

finish
